package dev.neep.backend.rutabaga.internal;

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
 * Checks configuration {@value RutabagaBackendConfig#PID}, looks for librutabaga_gfx_ffi where
 * it (or the environment, or the linker path) says, on a probe thread of its own (ProviderGate),
 * and enables {@link RutabagaBackendProvider}
 * if both went well; otherwise disables it and says once per configuration why and how to point
 * neep at the library.
 */
@Component(immediate = true, service = {}, configurationPid = RutabagaBackendConfig.PID)
@RutabagaBackendConfig
public final class RutabagaAvailability {

    private final Map<String, String> environment;
    private final OwnerThread probes = ProviderGate.probeThread(RutabagaBackendProvider.KIND);

    public RutabagaAvailability() {
        this(System.getenv());
    }

    RutabagaAvailability(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    @Activate
    @Modified
    void configure(ComponentContext context, Map<String, Object> properties) {
        ProviderGate.probe(probes, context, RutabagaBackendProvider.class.getName(),
                RutabagaBackendProvider.KIND, () -> RutabagaNative.find(RutabagaSettings.from(
                        TypedConfiguration.read(RutabagaBackendConfig.class, properties), environment).libraryPath(),
                        environment));
    }

    /** Waits for a probe under way (ProviderGate.stop), so that none outlives this activation. */
    @Deactivate
    void deactivate() {
        ProviderGate.stop(probes);
    }
}
