package dev.neep.vhostuser.gpu.internal;

import dev.neep.backend.rutabaga.internal.RutabagaBackendProvider;
import dev.neep.gpu.api.GpuBackendProvider;
import dev.neep.gpu.protocol.CapsetIds;
import java.util.Map;

/**
 * {@link TenFrontEndsScenario} through gfxstream (capset gfxstream-vulkan, gfxstream contexts,
 * resources in gfxstream's color buffers): runs when {@code NEEP_RUTABAGA_LIBRARY} names a
 * librutabaga_gfx_ffi built with gfxstream, and is skipped with the reason otherwise. gfxstream
 * is built once in this JVM and serves all ten front ends.
 */
public class TenFrontEndsRutabagaGfxstreamTest extends TenFrontEndsScenario {

    @Override
    String unavailable() {
        return new TenFrontEndsRutabaga2dTest().unavailable();
    }

    @Override
    GpuBackendProvider provider() {
        return RutabagaBackendProvider.configured(Map.of("capset_names", "gfxstream-vulkan"));
    }

    @Override
    int contextInit() {
        return CapsetIds.GFXSTREAM_VULKAN;
    }
}
