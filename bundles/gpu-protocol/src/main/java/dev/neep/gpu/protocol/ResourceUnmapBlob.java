package dev.neep.gpu.protocol;

import java.nio.ByteBuffer;
import java.util.Objects;

/** {@code struct virtio_gpu_resource_unmap_blob}, 32 bytes. CMD_RESOURCE_UNMAP_BLOB. */
public record ResourceUnmapBlob(CtrlHdr hdr, int resourceId) implements Request {
    public static final int SIZE = 32;
    static final String STRUCT = "virtio_gpu_resource_unmap_blob";

    public ResourceUnmapBlob {
        Objects.requireNonNull(hdr, "hdr");
    }

    public static Decoded<ResourceUnmapBlob> decode(ByteBuffer src) {
        return WireReader.decode(src, STRUCT, ResourceUnmapBlob::read);
    }

    static ResourceUnmapBlob read(WireReader in) {
        CtrlHdr hdr = in.hdr();
        int resourceId = in.u32("resource_id");
        in.skip("padding", 4);
        return new ResourceUnmapBlob(hdr, resourceId);
    }

    @Override
    public void encode(ByteBuffer dst) {
        WireWriter w = new WireWriter(dst, SIZE);
        hdr.write(w);
        w.u32(resourceId);
        w.u32(0);
        w.done();
    }
}
