package dev.neep.vhostuser.protocol;

import java.nio.ByteBuffer;

/**
 * "MMAP request", the payload of the back-end requests BACKEND_SHMEM_MAP and
 * BACKEND_SHMEM_UNMAP: {@code shmid} u8, 7 bytes of padding, then {@code fd_offset},
 * {@code shm_offset}, {@code len} and {@code flags}, all u64 (40 bytes). MAP maps {@code len}
 * bytes of the descriptor sent with it, from {@code fd_offset}, at {@code shm_offset} of shared
 * memory region {@code shmid}; UNMAP (no descriptor) removes the mapping that is exactly
 * {@code shm_offset}, {@code len}.
 */
public record MmapRequest(int shmid, long fdOffset, long shmOffset, long length, long flags) {
    public static final int SIZE = 40;
    /** {@code flags} bit 0: the driver may write the pages (without it, read-only). */
    public static final long FLAG_MAP_RW = 1;

    public static MmapRequest decode(ByteBuffer src) {
        int shmid = Byte.toUnsignedInt(src.get());
        src.position(src.position() + 7);
        return new MmapRequest(shmid, src.getLong(), src.getLong(), src.getLong(), src.getLong());
    }

    public void encode(ByteBuffer dst) {
        dst.put((byte) shmid).put(new byte[7]).putLong(fdOffset).putLong(shmOffset).putLong(length).putLong(flags);
    }

    public boolean writable() {
        return (flags & FLAG_MAP_RW) != 0;
    }

    @Override
    public String toString() {
        return String.format("shmid %d shm_offset 0x%x len 0x%x fd_offset 0x%x flags 0x%x",
                shmid, shmOffset, length, fdOffset, flags);
    }
}
