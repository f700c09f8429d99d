package dev.neep.backend.virgl.internal;

import dev.neep.backend.support.ProviderGate;
import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * Loads libvirglrenderer when the bundle starts and enables {@link VirglBackendProvider} if it
 * loaded; otherwise says once why the virgl backend is not available.
 */
@Component(immediate = true, service = {})
public final class VirglAvailability {

    @Activate
    void activate(ComponentContext context) {
        ProviderGate.apply(context, VirglBackendProvider.class.getName(), VirglNative.LOADED);
    }
}
