package dev.neep.backend.support;

import dev.neep.config.support.ConfigurationRefused;
import java.util.function.Supplier;
import org.osgi.service.component.ComponentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enables a backend's provider component exactly when its library loaded, and otherwise says
 * why, at INFO. Keeping the provider a plain declared component (declared disabled, enabled from here)
 * leaves its service and properties to DS, where tools see them, instead of a hand-made
 * registration.
 */
public final class ProviderGate {

    private static final Logger LOG = LoggerFactory.getLogger(ProviderGate.class);

    private ProviderGate() {
    }

    /**
     * Enables component {@code provider} if its configuration is accepted and the library it
     * names loads ({@code find} reads the one and looks for the other); else disables it and
     * logs why.
     */
    public static void apply(ComponentContext context, String provider, String backend,
            Supplier<LoadedLibrary<?>> find) {
        LoadedLibrary<?> loaded;
        try {
            loaded = find.get();
        } catch (ConfigurationRefused e) {
            context.disableComponent(provider);
            LOG.error("{} backend not available: its configuration is refused: {}", backend, e.getMessage());
            return;
        }
        apply(context, provider, loaded);
    }

    /** Enables component {@code provider} if {@code loaded} is available, else disables it and logs why. */
    public static void apply(ComponentContext context, String provider, LoadedLibrary<?> loaded) {
        if (loaded.available()) {
            LOG.info("{} backend available: library loaded from {}", loaded.backend(), loaded.location());
            context.enableComponent(provider);
        } else {
            context.disableComponent(provider);
            // INFO: an optional backend nobody chose is no problem. When a device does choose it,
            // the device waits for it and the runtime status reports that wait as a WARN.
            LOG.info("{} backend {}", loaded.backend(), loaded.unavailableReason());
        }
    }
}
