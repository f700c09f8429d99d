package dev.neep.gpu.protocol;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * {@code struct virtio_gpu_ctx_resource}, 32 bytes. CMD_CTX_ATTACH_RESOURCE and
 * CMD_CTX_DETACH_RESOURCE, told apart by {@code hdr.type}.
 */
public record CtxResource(CtrlHdr hdr, int resourceId) implements Request {
    public static final int SIZE = 32;
    static final String STRUCT = "virtio_gpu_ctx_resource";

    public CtxResource {
        Objects.requireNonNull(hdr, "hdr");
    }

    public static Decoded<CtxResource> decode(ByteBuffer src) {
        return WireReader.decode(src, STRUCT, CtxResource::read);
    }

    static CtxResource read(WireReader in) {
        CtrlHdr hdr = in.hdr();
        int resourceId = in.u32("resource_id");
        in.skip("padding", 4);
        return new CtxResource(hdr, resourceId);
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
