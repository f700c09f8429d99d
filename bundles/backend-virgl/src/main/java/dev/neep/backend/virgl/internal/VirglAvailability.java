package dev.neep.backend.virgl.internal;

import dev.neep.backend.support.OwnerThread;
import dev.neep.backend.support.ProviderGate;
import dev.neep.config.support.TypedConfiguration;
import java.util.Map;
import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;

/**
 * Checks configuration {@value VirglBackendConfig#PID}, loads libvirglrenderer where it says
 * (on a probe thread of its own, not holding up the framework start: ProviderGate),
 * and enables {@link VirglBackendProvider} if both went well; otherwise says once why the virgl
 * backend is not available.
 */
@Component(immediate = true, service = {}, configurationPid = VirglBackendConfig.PID)
@VirglBackendConfig
public final class VirglAvailability {

    private final OwnerThread probes = ProviderGate.probeThread(VirglBackendProvider.KIND);

    @Activate
    @Modified
    void configure(ComponentContext context, Map<String, Object> properties) {
        ProviderGate.probe(probes, context, VirglBackendProvider.class.getName(), VirglBackendProvider.KIND,
                () -> VirglNative.find(VirglSettings.from(TypedConfiguration.read(VirglBackendConfig.class,
                        properties)).libraryPath()));
    }

    /** Waits for a probe under way (ProviderGate.stop), so that none outlives this activation. */
    @Deactivate
    void deactivate() {
        ProviderGate.stop(probes);
    }
}
