package dev.neep.gpu.device.internal;

import dev.neep.backend2d.Backend2d;
import dev.neep.gpu.api.FenceListener;
import dev.neep.gpu.api.GpuBackend;
import dev.neep.gpu.api.GpuBackendProvider;

/** The real pure-Java 2D backend, opened through the API backend-2d exports, as an embedder without OSGi opens it. */
final class Real2dProvider implements GpuBackendProvider {

    @Override
    public String kind() {
        return Backend2d.KIND;
    }

    @Override
    public GpuBackend open(FenceListener fences) {
        return Backend2d.open(fences);
    }
}
