package dev.neep.gpu.device;

import org.osgi.annotation.versioning.ProviderType;

/**
 * How the display modes the guest is offered are decided. A VMM (or a window, a remote viewer)
 * asks for another mode the way a monitor is plugged, unplugged or resized
 * ({@link #setDisplayMode}): the device updates what GET_DISPLAY_INFO and GET_EDID report and
 * raises VIRTIO_GPU_EVENT_DISPLAY with a configuration interrupt. A transport whose front end
 * owns the displays (vhost-user, where QEMU's {@code xres}/{@code yres} and its UI decide them)
 * hands the device its {@link FrontEndDisplays} instead ({@link #useFrontEnd}), and the front
 * end then answers each GET_DISPLAY_INFO and GET_EDID.
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

    /**
     * From now on GET_DISPLAY_INFO and GET_EDID are asked of {@code displays}; null: the device
     * answers with its configured modes again. Either way the outputs start over at the
     * configured mode. The front end raises its own display events (QEMU keeps the guest's
     * {@code events_read}), so none is raised here.
     */
    void useFrontEnd(FrontEndDisplays displays);
}
