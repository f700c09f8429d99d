package dev.neep.gpu.device;

import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.api.GpuBackendProvider;
import dev.neep.gpu.api.ScanoutId;
import dev.neep.gpu.device.internal.GpuDevice;
import dev.neep.virtio.SharedMemoryDevice;
import dev.neep.virtio.VirtioDevice;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The virtio-gpu device as a plain Java object, for a VMM that embeds neep without OSGi (and
 * for tests): a {@link VirtioDevice} any transport drives, with the backend and the display
 * sinks handed over by the embedder instead of bound by Declarative Services. In a framework
 * the same device is the {@code dev.neep.virtio.VirtioDevice} service of the gpu-device bundle.
 *
 * <pre>{@code
 * try (VirtioGpu gpu = VirtioGpu.create(DeviceConfig.defaults(), Backend2d.provider())) {
 *     gpu.addSink(mySink);
 *     VirtioPciFunction function = new VirtioPciFunction(gpu, guestMemory);  // or vhost-user
 *     ...
 * }
 * }</pre>
 *
 * <p>Every method may be called from any thread; the device does its work on its own command
 * thread and the calls that change it wait for that thread. {@link #close} ends it.
 *
 * <p>It is also the {@link VgaScanout} that virtio-vga hands its VBE pictures to, so that
 * {@code new VirtioVga(gpu, ...)} shows them to this device's sinks until the driver takes over.
 *
 * <p>A backend, once open, serves every driver: a reset (a driver reload, a vhost-user front end
 * leaving) releases what the guest made in it and keeps it, as QEMU keeps its rutabaga instance
 * for the device's life. Only {@link #useProvider}, {@link #reopen}, {@link #dropProvider} and
 * {@link #close} close it.
 */
@ProviderType
public interface VirtioGpu extends VirtioDevice, SharedMemoryDevice, GpuDeviceInfo, GpuDisplayControl, VgaScanout,
        AutoCloseable {

    /** The name of a device made without one. */
    String DEFAULT_NAME = ScanoutId.DEFAULT_DEVICE;

    /** A device shaped by {@code config} with no backend yet: {@link #useProvider} opens one. */
    static VirtioGpu create(DeviceConfig config) {
        return new GpuDevice(config);
    }

    /** A device named {@link #DEFAULT_NAME}, shaped by {@code config}, with {@code provider}'s backend open. */
    static VirtioGpu create(DeviceConfig config, GpuBackendProvider provider) throws GpuBackendException {
        return create(DEFAULT_NAME, config, provider);
    }

    /**
     * A device named {@code name} (what its sinks are told with every scanout: unique among the
     * devices of one runtime), shaped by {@code config}, with {@code provider}'s backend open.
     *
     * @throws GpuBackendException when the backend cannot be opened; the device is closed then
     */
    static VirtioGpu create(String name, DeviceConfig config, GpuBackendProvider provider)
            throws GpuBackendException {
        GpuDevice device = new GpuDevice(name, config);
        try {
            device.useProvider(provider);
        } catch (GpuBackendException | RuntimeException e) {
            device.close();
            throw e;
        }
        return device;
    }

    /** The configuration in effect (a new shape waiting for the next reset is not in it yet). */
    DeviceConfig config();

    /**
     * Takes {@code next} as the configuration. Outputs, modes, EDID and the host memory limit
     * are what a driver reads when it initialises the device, so while a driver is active they
     * wait for the next reset; otherwise they apply at once.
     */
    void reconfigure(DeviceConfig next);

    /**
     * Makes {@code next} the backend provider (null: none) and waits until its backend is open.
     * Replacing a backend while the device runs releases every resource, context and mapping
     * of the old one and tells the driver (a configuration change). Passing the provider
     * already in use changes nothing.
     *
     * @throws GpuBackendException when the backend cannot be opened; the device then has no
     *         backend and answers every command that needs one with RESP_ERR_UNSPEC
     */
    void useProvider(GpuBackendProvider next) throws GpuBackendException;

    /**
     * Opens {@code changed}'s backend again if it is the provider in use, as after a change of
     * its settings (a backend takes them only when it opens).
     *
     * @throws GpuBackendException when the backend cannot be opened (see {@link #useProvider})
     */
    void reopen(GpuBackendProvider changed) throws GpuBackendException;

    /** Drops {@code gone} if it is the provider in use; another provider's removal changes nothing. */
    void dropProvider(GpuBackendProvider gone);

    /**
     * Binds a sink; it gets the current scanouts, a full frame of each and the cursors first.
     * The device calls it from a thread of the sink's own, never from its command thread (see
     * {@code DisplaySink}).
     */
    void addSink(DisplaySink sink);

    /**
     * Unbinds a sink; when this returns the device starts no further call on it (a call in
     * progress was waited for a bounded time).
     */
    void removeSink(DisplaySink sink);

    /** Resets the device, closes the backend and ends the device's thread. */
    @Override
    void close();
}
