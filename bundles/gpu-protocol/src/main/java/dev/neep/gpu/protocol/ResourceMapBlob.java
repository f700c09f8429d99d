package dev.neep.gpu.protocol;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * {@code struct virtio_gpu_resource_map_blob}, 40 bytes. CMD_RESOURCE_MAP_BLOB: map the blob at
 * {@code offset} of the host-visible shared memory region; answered by {@link RespMapInfo}.
 */
public record ResourceMapBlob(CtrlHdr hdr, int resourceId, long offset) implements Request {
    public static final int SIZE = 40;
    static final String STRUCT = "virtio_gpu_resource_map_blob";

    public ResourceMapBlob {
        Objects.requireNonNull(hdr, "hdr");
    }

    public static Decoded<ResourceMapBlob> decode(ByteBuffer src) {
        return WireReader.decode(src, STRUCT, ResourceMapBlob::read);
    }

    static ResourceMapBlob read(WireReader in) {
        CtrlHdr hdr = in.hdr();
        int resourceId = in.u32("resource_id");
        in.skip("padding", 4);
        long offset = in.u64("offset");
        return new ResourceMapBlob(hdr, resourceId, offset);
    }

    @Override
    public void encode(ByteBuffer dst) {
        WireWriter w = new WireWriter(dst, SIZE);
        hdr.write(w);
        w.u32(resourceId);
        w.u32(0);
        w.u64(offset);
        w.done();
    }
}
