package dev.neep.backend.rutabaga.internal;

import dev.neep.backend.support.CheckedSettings;
import dev.neep.config.support.TypedConfiguration;
import dev.neep.gpu.api.FenceListener;
import dev.neep.gpu.api.GpuBackend;
import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.api.GpuBackendProvider;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Opens {@link RutabagaBackend}s with the settings of configuration
 * {@value RutabagaBackendConfig#PID}. As a DS component it is declared disabled:
 * {@link RutabagaAvailability} enables it only once the configuration is accepted and
 * librutabaga_gfx_ffi has loaded, so the service exists exactly when the backend can work. A
 * changed configuration is taken by {@link #configure} without restarting the component: SCR
 * then updates the service's properties, and a device using it opens its backend again.
 */
@Component(service = GpuBackendProvider.class, enabled = false, configurationPid = RutabagaBackendConfig.PID,
        property = GpuBackendProvider.BACKEND_PROPERTY + "=" + RutabagaBackendProvider.KIND)
@Designate(ocd = RutabagaBackendConfig.class)
@RutabagaBackendConfig
public final class RutabagaBackendProvider implements GpuBackendProvider {

    public static final String KIND = "rutabaga";

    private volatile CheckedSettings<RutabagaSettings> settings;

    @Activate
    @Modified
    void configure(Map<String, Object> properties) {
        settings = CheckedSettings.read(() -> RutabagaSettings.from(TypedConfiguration.read(RutabagaBackendConfig.class,
                properties), System.getenv()));
    }

    /**
     * A provider outside OSGi, for a VMM or a test that wires the device in plain Java:
     * {@code properties} are what configuration PID {@code dev.neep.backend.rutabaga} would hold (a
     * refused value fails every open, naming it, as under DS).
     */
    public static RutabagaBackendProvider configured(Map<String, Object> properties) {
        RutabagaBackendProvider provider = new RutabagaBackendProvider();
        provider.configure(properties);
        return provider;
    }

    @Override
    public String kind() {
        return KIND;
    }

    /**
     * One rutabaga instance per call, each with its own owner thread; with cross-domain the only
     * capset, 2D resources beside it in neep's own 2D backend ({@link CrossDomainWith2d}).
     */
    @Override
    public GpuBackend open(FenceListener fences) throws GpuBackendException {
        RutabagaSettings s = settings.require();
        return CrossDomainWith2d.around(RutabagaBackend.open(RutabagaNative.find(s.libraryPath(), System.getenv())
                .require(), s, fences), s, fences);
    }
}
