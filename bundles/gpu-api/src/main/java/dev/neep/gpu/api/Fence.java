package dev.neep.gpu.api;

/**
 * A fence on one timeline. {@code flags} carries VIRTIO_GPU_FLAG_FENCE (1) and, when the
 * guest used it, VIRTIO_GPU_FLAG_INFO_RING_IDX (2); without the latter the timeline is
 * the device-global one and {@code ringIdx} is 0.
 */
public record Fence(int flags, long fenceId, int ctxId, int ringIdx) {
    public static final int FLAG_FENCE = 1;
    public static final int FLAG_INFO_RING_IDX = 2;

    public boolean onRing() {
        return (flags & FLAG_INFO_RING_IDX) != 0;
    }
}
