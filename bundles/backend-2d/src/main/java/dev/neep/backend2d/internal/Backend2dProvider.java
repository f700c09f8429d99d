package dev.neep.backend2d.internal;

import dev.neep.backend2d.Backend2d;
import dev.neep.gpu.api.FenceListener;
import dev.neep.gpu.api.GpuBackend;
import dev.neep.gpu.api.GpuBackendProvider;
import org.osgi.service.component.annotations.Component;

/**
 * Offers the 2D backend to devices; needs nothing, not even a configuration, so it is always
 * there as the default.
 */
@Component(service = GpuBackendProvider.class,
        property = GpuBackendProvider.BACKEND_PROPERTY + "=" + Backend2d.KIND)
public final class Backend2dProvider implements GpuBackendProvider {

    @Override
    public String kind() {
        return Backend2d.KIND;
    }

    @Override
    public GpuBackend open(FenceListener fences) {
        return Backend2d.open(fences);
    }
}
