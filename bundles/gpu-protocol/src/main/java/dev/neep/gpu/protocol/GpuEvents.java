package dev.neep.gpu.protocol;

/** Bits of {@code virtio_gpu_config.events_read} / {@code events_clear} (virtio 1.3 §5.7.4). */
public final class GpuEvents {
    /** The display configuration changed; the driver should re-read GET_DISPLAY_INFO. */
    public static final int EVENT_DISPLAY = 1;

    private GpuEvents() {
    }
}
