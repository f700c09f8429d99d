package dev.neep.backend.rutabaga.internal;

import dev.neep.backend.support.LoadedLibrary;
import dev.neep.gpu.api.BackendConfig;
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
 * Opens {@link RutabagaBackend}s. As a DS component it is declared disabled:
 * {@link RutabagaAvailability} enables it only once librutabaga_gfx_ffi has loaded, so the
 * service exists exactly when the library does. Both read the library's location from
 * configuration {@value RutabagaLibraryConfig#PID}.
 */
@Component(service = GpuBackendProvider.class, enabled = false, configurationPid = RutabagaLibraryConfig.PID,
        property = GpuBackendProvider.BACKEND_PROPERTY + "=" + RutabagaBackendProvider.KIND)
@Designate(ocd = RutabagaLibraryConfig.class)
public final class RutabagaBackendProvider implements GpuBackendProvider {

    public static final String KIND = "rutabaga";

    private volatile LoadedLibrary<RutabagaGfxFfi> library;

    @Activate
    @Modified
    void configure(RutabagaLibraryConfig config) {
        library = RutabagaNative.find(config.library__path(), System.getenv());
    }

    @Override
    public String kind() {
        return KIND;
    }

    /** One rutabaga instance per call, each with its own owner thread. */
    @Override
    public GpuBackend open(BackendConfig config, FenceListener fences) throws GpuBackendException {
        return RutabagaBackend.open(library.require(), config, fences, Map.copyOf(System.getenv()));
    }
}
