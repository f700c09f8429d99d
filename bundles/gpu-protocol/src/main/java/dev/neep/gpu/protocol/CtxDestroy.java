package dev.neep.gpu.protocol;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * {@code struct virtio_gpu_ctx_destroy}, 24 bytes. CMD_CTX_DESTROY: the header alone; {@code
 * hdr.ctxId} names the context.
 */
public record CtxDestroy(CtrlHdr hdr) implements Request {
    public static final int SIZE = 24;
    static final String STRUCT = "virtio_gpu_ctx_destroy";

    public CtxDestroy {
        Objects.requireNonNull(hdr, "hdr");
    }

    public static Decoded<CtxDestroy> decode(ByteBuffer src) {
        return WireReader.decode(src, STRUCT, CtxDestroy::read);
    }

    static CtxDestroy read(WireReader in) {
        CtrlHdr hdr = in.hdr();
        return new CtxDestroy(hdr);
    }

    @Override
    public void encode(ByteBuffer dst) {
        WireWriter w = new WireWriter(dst, SIZE);
        hdr.write(w);
        w.done();
    }
}
