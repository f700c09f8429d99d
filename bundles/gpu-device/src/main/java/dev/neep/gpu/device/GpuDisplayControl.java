package dev.neep.gpu.device;

import org.osgi.annotation.versioning.ProviderType;

/**
 * How a front end (a window, a remote viewer) asks the guest for another display mode, the
 * way a monitor is plugged, unplugged or resized: the device updates what GET_DISPLAY_INFO and
 * GET_EDID report and raises VIRTIO_GPU_EVENT_DISPLAY with a configuration interrupt.
 */
@ProviderType
public interface GpuDisplayControl {

    /**
     * Output {@code output} now prefers {@code width} x {@code height}; 0 x 0 disconnects it.
     *
     * @throws IllegalArgumentException if the output does not exist or the mode is outside
     *         16..4095 in either direction
     */
    void setDisplayMode(int output, int width, int height);
}
