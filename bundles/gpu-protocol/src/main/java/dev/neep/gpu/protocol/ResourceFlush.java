package dev.neep.gpu.protocol;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * {@code struct virtio_gpu_resource_flush}, 48 bytes. CMD_RESOURCE_FLUSH: rectangle {@code r} of a
 * resource changed; update the scanouts showing it.
 */
public record ResourceFlush(CtrlHdr hdr, Rect r, int resourceId) implements Request {
    public static final int SIZE = 48;
    static final String STRUCT = "virtio_gpu_resource_flush";

    public ResourceFlush {
        Objects.requireNonNull(hdr, "hdr");
        Objects.requireNonNull(r, "r");
    }

    public static Decoded<ResourceFlush> decode(ByteBuffer src) {
        return WireReader.decode(src, STRUCT, ResourceFlush::read);
    }

    static ResourceFlush read(WireReader in) {
        CtrlHdr hdr = in.hdr();
        Rect r = in.rect("r.");
        int resourceId = in.u32("resource_id");
        in.skip("padding", 4);
        return new ResourceFlush(hdr, r, resourceId);
    }

    @Override
    public void encode(ByteBuffer dst) {
        WireWriter w = new WireWriter(dst, SIZE);
        hdr.write(w);
        r.write(w);
        w.u32(resourceId);
        w.u32(0);
        w.done();
    }
}
