package dev.neep.vhostuser.gpu.internal;

import dev.neep.backend2d.Backend2d;
import dev.neep.gpu.api.GpuBackendProvider;

/** {@link TenFrontEndsScenario} on the pure-Java 2D backend (no contexts: the rounds skip them). */
public class TenFrontEnds2dTest extends TenFrontEndsScenario {

    @Override
    GpuBackendProvider provider() {
        return Backend2d.provider();
    }

    @Override
    int contextInit() {
        return 0;
    }
}
