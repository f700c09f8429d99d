package dev.neep.backend.virgl.internal;

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
 * Opens {@link VirglBackend}s with the settings of configuration {@value VirglBackendConfig#PID}.
 * As a DS component it is declared disabled: {@link VirglAvailability} enables it only once the
 * configuration is accepted and libvirglrenderer has loaded, so the service exists exactly when
 * the backend can work, and a missing library is a logged reason rather than a failing
 * component. A changed configuration is taken by {@link #configure} without restarting the
 * component: SCR then updates the service's properties, and a device using it opens its
 * backend again.
 */
@Component(service = GpuBackendProvider.class, enabled = false, configurationPid = VirglBackendConfig.PID,
        property = GpuBackendProvider.BACKEND_PROPERTY + "=" + VirglBackendProvider.KIND)
@Designate(ocd = VirglBackendConfig.class)
@VirglBackendConfig
public final class VirglBackendProvider implements GpuBackendProvider {

    public static final String KIND = "virgl";

    private volatile CheckedSettings<VirglSettings> settings;

    @Activate
    @Modified
    void configure(Map<String, Object> properties) {
        settings = CheckedSettings.read(() -> VirglSettings.from(TypedConfiguration.read(VirglBackendConfig.class,
                properties)));
    }

    /**
     * A provider outside OSGi, for a VMM or a test that wires the device in plain Java:
     * {@code properties} are what configuration PID {@code dev.neep.backend.virgl} would hold (a
     * refused value fails every open, naming it, as under DS).
     */
    public static VirglBackendProvider configured(Map<String, Object> properties) {
        VirglBackendProvider provider = new VirglBackendProvider();
        provider.configure(properties);
        return provider;
    }

    @Override
    public String kind() {
        return KIND;
    }

    /**
     * Starts the process's one libvirglrenderer renderer; a second open before the first
     * instance is closed fails.
     */
    @Override
    public GpuBackend open(FenceListener fences) throws GpuBackendException {
        VirglSettings s = settings.require();
        return VirglBackend.open(VirglNative.find(s.libraryPath()).require(), s, fences);
    }
}
