package dev.neep.backend.rutabaga.internal;

import java.util.Map;
import org.junit.Assume;
import org.junit.Before;

/**
 * The scenarios against the real librutabaga_gfx_ffi named by {@code NEEP_RUTABAGA_LIBRARY}.
 * Each is skipped, with the reason, when the variable is not set; a set variable naming a
 * library that does not load fails them instead.
 */
public class RutabagaBackendLibraryTest extends RutabagaBackendScenarios {

    static final String NOT_SET = RutabagaNative.LIBRARY_ENV + " is not set: no librutabaga_gfx_ffi to test against"
            + " (Debian does not package it; point the variable at a build of 0.1.2 or later)";

    private RutabagaGfxFfi library;

    @Before
    public void loadTheLibrary() throws Exception {
        String path = System.getenv(RutabagaNative.LIBRARY_ENV);
        Assume.assumeTrue(NOT_SET, path != null);
        library = RutabagaNative.find("", Map.of(RutabagaNative.LIBRARY_ENV, path)).require();
    }

    @Override
    RutabagaGfxFfi library() {
        return library;
    }
}
