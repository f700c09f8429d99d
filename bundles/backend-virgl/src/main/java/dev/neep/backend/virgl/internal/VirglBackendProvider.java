package dev.neep.backend.virgl.internal;

import dev.neep.gpu.api.BackendConfig;
import dev.neep.gpu.api.FenceListener;
import dev.neep.gpu.api.GpuBackend;
import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.api.GpuBackendProvider;
import org.osgi.service.component.annotations.Component;

/**
 * Opens {@link VirglBackend}s. As a DS component it is declared disabled:
 * {@link VirglAvailability} enables it only once libvirglrenderer has loaded, so the service
 * exists exactly when the library does, and a missing library is a logged reason rather than
 * a failing component.
 */
@Component(service = GpuBackendProvider.class, enabled = false,
        property = GpuBackendProvider.BACKEND_PROPERTY + "=" + VirglBackendProvider.KIND)
public final class VirglBackendProvider implements GpuBackendProvider {

    public static final String KIND = "virgl";

    @Override
    public String kind() {
        return KIND;
    }

    /**
     * Starts the process's one libvirglrenderer renderer; a second open before the first
     * instance is closed fails.
     */
    @Override
    public GpuBackend open(BackendConfig config, FenceListener fences) throws GpuBackendException {
        return VirglBackend.open(VirglNative.library(), config, fences);
    }
}
