package dev.neep.gpu.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The OSGi service a backend bundle registers: it opens one {@link GpuBackend} per
 * device instance, the way {@code rutabaga_init} builds one rutabaga per device.
 *
 * <p>Registered with the service property {@value #BACKEND_PROPERTY} naming the kind
 * ({@code 2d}, {@code virgl}, {@code rutabaga}); a device picks one with a target filter
 * on that property. A provider whose native library is missing does not register.
 */
@ProviderType
public interface GpuBackendProvider {

    /** Service property naming the backend kind. */
    String BACKEND_PROPERTY = "neep.backend";

    /** The kind, equal to the {@value #BACKEND_PROPERTY} service property. */
    String kind();

    /**
     * Opens a backend instance. Called on the device's command thread, which then makes
     * every call on the instance (native renderers bind their context to it).
     *
     * @param config what the device was configured with
     * @param fences where the instance reports completed fences, from any thread
     * @throws GpuBackendException when the backend cannot start with that configuration;
     *         the message names the setting and the value
     */
    GpuBackend open(BackendConfig config, FenceListener fences) throws GpuBackendException;
}
