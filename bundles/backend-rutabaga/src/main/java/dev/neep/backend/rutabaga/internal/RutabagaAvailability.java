package dev.neep.backend.rutabaga.internal;

import java.util.Map;
import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks for librutabaga_gfx_ffi where configuration {@value RutabagaLibraryConfig#PID} (or the
 * environment, or the linker path) says, and enables {@link RutabagaBackendProvider} if it
 * loaded; otherwise disables it and says once per configuration why and how to point neep at
 * the library. Keeping the provider a plain declared component leaves its service and
 * properties to DS, where tools see them, instead of a hand-made registration.
 */
@Component(immediate = true, service = {}, configurationPid = RutabagaLibraryConfig.PID)
public final class RutabagaAvailability {

    private static final Logger LOG = LoggerFactory.getLogger(RutabagaAvailability.class);
    private static final String PROVIDER = RutabagaBackendProvider.class.getName();

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
        RutabagaNative.Loaded loaded = RutabagaNative.find(config.library__path(), environment);
        if (loaded.available()) {
            LOG.info("rutabaga backend available: librutabaga_gfx_ffi loaded from {}", loaded.location());
            context.enableComponent(PROVIDER);
        } else {
            context.disableComponent(PROVIDER);
            LOG.warn("rutabaga backend {}", loaded.unavailableReason());
        }
    }
}
