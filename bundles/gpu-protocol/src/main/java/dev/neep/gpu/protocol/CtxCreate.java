package dev.neep.gpu.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * {@code struct virtio_gpu_ctx_create}, 96 bytes: CMD_CTX_CREATE for context {@code hdr.ctxId}.
 * {@code contextInit}'s low byte is the capset id ({@link CapsetIds}) with feature
 * CONTEXT_INIT, zero otherwise.
 *
 * <p>{@code debugName} holds the first min(nlen, 64) bytes of the name field, one char per byte
 * (ISO-8859-1), so decode and encode give back the bytes exactly; {@code nlen} is kept as the
 * guest sent it, even when it claims more than the 64 bytes there are.
 */
public record CtxCreate(CtrlHdr hdr, int nlen, int contextInit, String debugName) implements Request {
    public static final int SIZE = 96;
    /** Length of the {@code debug_name} field. */
    public static final int DEBUG_NAME_CAPACITY = 64;
    static final String STRUCT = "virtio_gpu_ctx_create";

    public CtxCreate {
        Objects.requireNonNull(hdr, "hdr");
        if (debugName.length() > DEBUG_NAME_CAPACITY) {
            throw new IllegalArgumentException("debug_name holds " + DEBUG_NAME_CAPACITY + " bytes");
        }
    }

    /** A request naming the context {@code name} (ASCII, at most 64 chars), nlen set to match. */
    public static CtxCreate of(CtrlHdr hdr, int contextInit, String name) {
        return new CtxCreate(hdr, name.length(), contextInit, name);
    }

    /** The capset id in {@code context_init}, 0 for the default (virgl) context. */
    public int capsetId() {
        return contextInit & CapsetIds.CONTEXT_INIT_CAPSET_ID_MASK;
    }

    public static Decoded<CtxCreate> decode(ByteBuffer src) {
        return WireReader.decode(src, STRUCT, CtxCreate::read);
    }

    static CtxCreate read(WireReader r) {
        CtrlHdr hdr = r.hdr();
        int nlen = r.u32("nlen");
        int contextInit = r.u32("context_init");
        byte[] name = r.bytes("debug_name", DEBUG_NAME_CAPACITY);
        int used = (int) Math.min(Integer.toUnsignedLong(nlen), DEBUG_NAME_CAPACITY);
        return new CtxCreate(hdr, nlen, contextInit, new String(name, 0, used, StandardCharsets.ISO_8859_1));
    }

    @Override
    public void encode(ByteBuffer dst) {
        WireWriter w = new WireWriter(dst, SIZE);
        hdr.write(w);
        byte[] name = debugName.getBytes(StandardCharsets.ISO_8859_1);
        w.u32(nlen).u32(contextInit).bytes(name).zeros(DEBUG_NAME_CAPACITY - name.length);
        w.done();
    }
}
