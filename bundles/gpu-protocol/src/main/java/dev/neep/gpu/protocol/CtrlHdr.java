package dev.neep.gpu.protocol;

import java.nio.ByteBuffer;

/**
 * {@code struct virtio_gpu_ctrl_hdr}: the 24 bytes that start every request and response.
 * {@code ringIdx} is the u8 at offset 20, followed by 3 bytes of padding.
 */
public record CtrlHdr(int type, int flags, long fenceId, int ctxId, int ringIdx) {
    public static final int SIZE = 24;
    static final String STRUCT = "virtio_gpu_ctrl_hdr";

    public CtrlHdr {
        if (ringIdx < 0 || ringIdx > 0xff) {
            throw new IllegalArgumentException("ring_idx is a u8: " + ringIdx);
        }
    }

    /** A header with only {@code type} set, as for an unfenced command. */
    public static CtrlHdr of(int type) {
        return new CtrlHdr(type, 0, 0, 0, 0);
    }

    public boolean isFenced() {
        return (flags & CtrlFlags.FLAG_FENCE) != 0;
    }

    /** True when the fence belongs to the timeline {@link #ringIdx()} of context {@link #ctxId()}. */
    public boolean hasRingIdx() {
        return (flags & CtrlFlags.FLAG_INFO_RING_IDX) != 0;
    }

    /**
     * The header of the answer to this request: {@code responseType}, and for a fenced request
     * the fence flag, fence id, context and (with FLAG_INFO_RING_IDX) ring index copied, so the
     * driver can match the response to the fence it waits on.
     */
    public CtrlHdr responseHeader(int responseType) {
        if (!isFenced()) {
            return of(responseType);
        }
        int keep = flags & (CtrlFlags.FLAG_FENCE | CtrlFlags.FLAG_INFO_RING_IDX);
        return new CtrlHdr(responseType, keep, fenceId, ctxId, hasRingIdx() ? ringIdx : 0);
    }

    public static Decoded<CtrlHdr> decode(ByteBuffer src) {
        WireReader r = new WireReader(src, STRUCT);
        return r.finish(read(r, ""));
    }

    public void encode(ByteBuffer dst) {
        WireWriter w = new WireWriter(dst, SIZE);
        write(w);
        w.done();
    }

    static CtrlHdr read(WireReader r, String prefix) {
        int type = r.u32(prefix, "type");
        int flags = r.u32(prefix, "flags");
        long fenceId = r.u64(prefix, "fence_id");
        int ctxId = r.u32(prefix, "ctx_id");
        int ringIdx = r.u8(prefix, "ring_idx");
        r.skip(prefix, "padding", 3);
        return new CtrlHdr(type, flags, fenceId, ctxId, ringIdx);
    }

    void write(WireWriter w) {
        w.u32(type).u32(flags).u64(fenceId).u32(ctxId).u8(ringIdx).zeros(3);
    }

    @Override
    public String toString() {
        return "CtrlHdr[" + CtrlType.name(type) + ", flags=" + flags + ", fenceId=" + Long.toUnsignedString(fenceId)
                + ", ctxId=" + Integer.toUnsignedString(ctxId) + ", ringIdx=" + ringIdx + "]";
    }
}
