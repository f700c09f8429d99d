package dev.neep.backend.virgl.internal;

import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads libvirglrenderer when the bundle starts and enables {@link VirglBackendProvider} if it
 * loaded; otherwise says once why the virgl backend is not available. Keeping the provider a
 * plain declared component (enabled from here) leaves its service and properties to DS, where
 * tools see it, instead of a hand-made registration.
 */
@Component(immediate = true, service = {})
public final class VirglAvailability {

    private static final Logger LOG = LoggerFactory.getLogger(VirglAvailability.class);
    private static final String PROVIDER = VirglBackendProvider.class.getName();

    @Activate
    void activate(ComponentContext context) {
        if (VirglNative.available()) {
            context.enableComponent(PROVIDER);
        } else {
            LOG.warn("virgl backend {}", VirglNative.unavailableReason());
        }
    }
}
