package dev.neep.gpu.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The OSGi service a backend bundle registers: it opens one {@link GpuBackend} per
 * device instance, the way {@code rutabaga_init} builds one rutabaga per device.
 *
 * <p>Registered with the service property {@value #BACKEND_PROPERTY} naming the kind
 * ({@code 2d}, {@code virgl}, {@code rutabaga}, or any other a bundle brings); a device picks
 * one with a target filter on that property. A provider whose native library is missing does
 * not register.
 *
 * <p>A provider knows its own settings (capsets, window-system integration, library paths):
 * it reads them from its own configuration, by convention PID
 * {@code dev.neep.backend.<kind>}, and opens every backend with them. When they change it
 * stays registered and updates its service properties; a device bound to it takes that as
 * the sign to open its backend again.
 */
@ConsumerType
public interface GpuBackendProvider {

    /** Service property naming the backend kind. */
    String BACKEND_PROPERTY = "neep.backend";

    /** The kind, equal to the {@value #BACKEND_PROPERTY} service property. */
    String kind();

    /**
     * Opens a backend instance with the provider's current settings. Called on the device's
     * command thread, which then makes every call on the instance (native renderers bind
     * their context to it).
     *
     * @param fences where the instance reports completed fences, from any thread
     * @throws GpuBackendException when the backend cannot start, a refused setting included;
     *         the message names the configuration, the setting and the value
     */
    GpuBackend open(FenceListener fences) throws GpuBackendException;
}
