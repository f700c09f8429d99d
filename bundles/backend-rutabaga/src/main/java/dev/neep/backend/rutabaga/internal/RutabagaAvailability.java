package dev.neep.backend.rutabaga.internal;

import dev.neep.backend.support.ProviderGate;
import java.util.Map;
import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;

/**
 * Looks for librutabaga_gfx_ffi where configuration {@value RutabagaLibraryConfig#PID} (or the
 * environment, or the linker path) says, and enables {@link RutabagaBackendProvider} if it
 * loaded; otherwise disables it and says once per configuration why and how to point neep at
 * the library.
 */
@Component(immediate = true, service = {}, configurationPid = RutabagaLibraryConfig.PID)
public final class RutabagaAvailability {

    private final Map<String, String> environment;

    public RutabagaAvailability() {
        this(System.getenv());
    }

    RutabagaAvailability(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    @Activate
    @Modified
    void configure(ComponentContext context, RutabagaLibraryConfig config) {
        ProviderGate.apply(context, RutabagaBackendProvider.class.getName(),
                RutabagaNative.find(config.library__path(), environment));
    }
}
