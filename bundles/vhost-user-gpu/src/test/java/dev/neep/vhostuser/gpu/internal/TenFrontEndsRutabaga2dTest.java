package dev.neep.vhostuser.gpu.internal;

import dev.neep.backend.rutabaga.internal.RutabagaBackendProvider;
import dev.neep.gpu.api.GpuBackendProvider;
import java.util.Map;

/**
 * {@link TenFrontEndsScenario} on librutabaga_gfx_ffi without capsets: rutabaga's own 2D
 * component, which every build has (no contexts: the rounds skip them). Runs when
 * {@code NEEP_RUTABAGA_LIBRARY} names the library, and is skipped with the reason otherwise.
 * Cross-domain alone would not do: rutabaga then makes cross-domain its default component,
 * whose resources have no host storage, and the screen stays black.
 */
public class TenFrontEndsRutabaga2dTest extends TenFrontEndsScenario {

    static final String LIBRARY_ENV = "NEEP_RUTABAGA_LIBRARY";

    @Override
    String unavailable() {
        return System.getenv(LIBRARY_ENV) == null ? LIBRARY_ENV + " is not set: no librutabaga_gfx_ffi to test against"
                + " (Debian does not package it; point the variable at a build of 0.1.2 or later)" : null;
    }

    @Override
    GpuBackendProvider provider() {
        return RutabagaBackendProvider.configured(Map.of());
    }

    @Override
    int contextInit() {
        return 0;
    }
}
