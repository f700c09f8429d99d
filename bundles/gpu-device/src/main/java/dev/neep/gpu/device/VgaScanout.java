package dev.neep.gpu.device;

import dev.neep.gpu.api.Frame;
import dev.neep.gpu.protocol.Rect;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Scanout 0 of the device as virtio-vga shows it until the guest's virtio driver takes over:
 * the VGA side hands the device each picture of the firmware's framebuffer, and the device
 * hands it to its own display sinks, the way it hands them its flushed pictures: on each sink's
 * own thread (never the caller's), in the device's one order, a slow or throwing sink holding up
 * only itself. So a sink bound to the device gets the VGA picture without binding to virtio-vga.
 *
 * <p>The device owns the order of scanout 0: the VGA picture shows only while no driver is
 * active (from a reset until DRIVER_OK); the driver's activation takes it off the sinks
 * ({@code scanoutChanged(0, null)}) before the driver's first command runs, and what the VGA
 * side hands over until the next reset is dropped. A sink that binds while the VGA picture
 * shows gets it, in full, first.
 *
 * <p>Each method records what happened and returns at once; it may be called from any thread
 * (a display tick, a vCPU). A picture is a B8G8R8X8_UNORM {@link Frame} of the whole screen
 * that its caller never writes again: the sinks read it whole, however late.
 *
 * <p>Implemented by the device ({@link VirtioGpu}; in a framework, the device's
 * {@code VirtioDevice} service object, registered under this interface too), called by
 * virtio-vga: {@code @ProviderType}.
 */
@ProviderType
public interface VgaScanout {

    /** The largest width and height of a VGA picture (Bochs VBE's maximum resolution is 16000 x 12000). */
    int MAX_SIZE = 16_000;

    /**
     * Scanout 0 shows {@code picture} (the first picture, or one of a new size): the sinks get
     * its geometry (resource id 0: a VGA picture) and a full frame.
     *
     * @throws IllegalArgumentException when {@code picture} is not a whole B8G8R8X8_UNORM
     *         picture of 1..{@value #MAX_SIZE} pixels each way
     */
    void showVga(Frame picture);

    /**
     * The pixels inside {@code dirty} changed: {@code picture} is the whole new picture, of the
     * size shown. While no VGA picture of that size shows, it is shown as {@link #showVga} does.
     *
     * @throws IllegalArgumentException when {@code picture} is not a whole B8G8R8X8_UNORM
     *         picture or {@code dirty} is empty or not inside it
     */
    void updateVga(Rect dirty, Frame picture);

    /** Scanout 0 shows no VGA picture any more (VBE disabled, virtio-vga closed). */
    void withdrawVga();
}
