package dev.neep.gpu.protocol;

/** Bits of {@code virtio_gpu_ctrl_hdr.flags} (virtio 1.3 §5.7.6.7). */
public final class CtrlFlags {
    /** The device must signal completion of the command as a fence with {@code fence_id}. */
    public static final int FLAG_FENCE = 1;
    /** {@code ring_idx} names the context's timeline the fence belongs to (needs CONTEXT_INIT). */
    public static final int FLAG_INFO_RING_IDX = 2;

    private CtrlFlags() {
    }
}
