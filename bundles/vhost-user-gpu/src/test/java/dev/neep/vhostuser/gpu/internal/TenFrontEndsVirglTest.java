package dev.neep.vhostuser.gpu.internal;

import dev.neep.backend.virgl.internal.VirglBackendProvider;
import dev.neep.gpu.api.GpuBackendProvider;
import java.util.Map;

/**
 * {@link TenFrontEndsScenario} on Debian's libvirglrenderer (Mesa llvmpipe, no GPU), with virgl
 * contexts; skipped with the reason where the library is not installed.
 */
public class TenFrontEndsVirglTest extends TenFrontEndsScenario {

    @Override
    GpuBackendProvider provider() {
        return VirglBackendProvider.configured(Map.of());
    }

    @Override
    int contextInit() {
        return 0; // a virgl context
    }
}
