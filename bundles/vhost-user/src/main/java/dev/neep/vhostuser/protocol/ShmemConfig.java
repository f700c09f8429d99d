package dev.neep.vhostuser.protocol;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * "VIRTIO Shared Memory Region configuration", the reply to GET_SHMEM_CONFIG:
 * {@code num regions} u32, 4 bytes of padding, then 256 u64 sizes indexed by shmid
 * (2056 bytes). A size of 0 means no region with that id; {@code num regions} counts the others.
 */
public record ShmemConfig(int regions, long[] sizes) {
    /** One size per possible shmid (a u8). */
    public static final int MAX_REGIONS = 256;
    public static final int SIZE = 8 + 8 * MAX_REGIONS;

    public ShmemConfig {
        if (sizes.length != MAX_REGIONS) {
            throw new IllegalArgumentException(sizes.length + " sizes, expected " + MAX_REGIONS);
        }
        sizes = sizes.clone();
    }

    /** The configuration with {@code sizes} (indexed by shmid), counting the regions. */
    public static ShmemConfig of(long[] sizes) {
        return new ShmemConfig((int) Arrays.stream(sizes).filter(s -> s != 0).count(), sizes);
    }

    public static ShmemConfig decode(ByteBuffer src) {
        int regions = src.getInt();
        src.getInt();
        long[] sizes = new long[MAX_REGIONS];
        for (int i = 0; i < MAX_REGIONS; i++) {
            sizes[i] = src.getLong();
        }
        return new ShmemConfig(regions, sizes);
    }

    public void encode(ByteBuffer dst) {
        dst.putInt(regions).putInt(0);
        for (long size : sizes) {
            dst.putLong(size);
        }
    }

    /** The size of region {@code shmid}; 0 when there is none. */
    public long size(int shmid) {
        return sizes[shmid];
    }

    @Override
    public long[] sizes() {
        return sizes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ShmemConfig c && c.regions == regions && Arrays.equals(c.sizes, sizes);
    }

    @Override
    public int hashCode() {
        return 31 * regions + Arrays.hashCode(sizes);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("ShmemConfig[" + regions + " regions");
        for (int i = 0; i < MAX_REGIONS; i++) {
            if (sizes[i] != 0) {
                s.append(", ").append(i).append(": ").append(sizes[i]);
            }
        }
        return s.append(']').toString();
    }
}
