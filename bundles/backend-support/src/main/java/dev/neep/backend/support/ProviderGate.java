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
 *
 * <p>The probe runs on a thread of its own ({@link #probeThread}), not on the thread that
 * activates the component: that is the framework's start-level thread, and loading a library
 * (libvirglrenderer brings Mesa's EGL and GL stack with it) there would hold up every bundle
 * that starts after the backend's, the vhost-user server among them. A device that chose the
 * backend waits for its provider either way.
 */
public final class ProviderGate {

    private static final Logger LOG = LoggerFactory.getLogger(ProviderGate.class);

    /** How long {@link #stop} waits for a probe under way: loading a library takes well under this. */
    private static final long STOP_WAIT_MILLIS = 10_000;

    private ProviderGate() {
    }

    /** The thread {@code backend}'s availability component probes on, its probes in the order asked. */
    public static OwnerThread probeThread(String backend) {
        return new OwnerThread("neep-probe " + backend, "the " + backend + " backend's probe has stopped");
    }

    /**
     * Stops {@code probes} once the probes queued on it have run, so that none enables or
     * disables a component after it was deactivated; for the component's deactivation.
     */
    public static void stop(OwnerThread probes) {
        if (!probes.stop(() -> { }, STOP_WAIT_MILLIS)) {
            LOG.warn("a backend probe did not finish within {} ms; it is left running on its thread",
                    STOP_WAIT_MILLIS);
        }
    }

    /**
     * {@link #apply(ComponentContext, String, String, Supplier)} on {@code probes}, after the
     * probes asked before it. What it throws beyond a refused configuration (a fault of the host,
     * not of the configuration) is logged with its cause, and the provider stays disabled.
     */
    public static void probe(OwnerThread probes, ComponentContext context, String provider, String backend,
            Supplier<LoadedLibrary<?>> find) {
        probes.post(() -> {
            try {
                apply(context, provider, backend, find);
            } catch (RuntimeException | LinkageError e) {
                LOG.error("{} backend not available: probing for its library failed", backend, e);
            }
        });
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
