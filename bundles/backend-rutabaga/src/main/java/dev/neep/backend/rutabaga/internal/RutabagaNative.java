package dev.neep.backend.rutabaga.internal;

import com.sun.jna.Native;
import dev.neep.backend.support.LibrarySearch;
import dev.neep.backend.support.LoadedLibrary;
import java.util.List;
import java.util.Map;

/**
 * The one way in to librutabaga_gfx_ffi. The library is looked for at the configured
 * {@code library_path}, at the path in the environment variable {@value #LIBRARY_ENV}, and under
 * its usual names on the system linker path (see {@link LibrarySearch}).
 *
 * <p>A failure (no library, no JNA dispatch library, a library without one of the 0.1.2
 * functions, a 32-bit JVM) is recorded with its reason instead of surfacing as a class-loading
 * crash, so the bundle can say "not available" and keep its provider unregistered.
 */
final class RutabagaNative {

    /** Environment variable holding the full path of the library (used by the tests). */
    static final String LIBRARY_ENV = "NEEP_RUTABAGA_LIBRARY";

    /** Names on the linker path: the development link first, then the runtime soname. */
    private static final List<String> DEFAULT_NAMES = List.of("rutabaga_gfx_ffi", "librutabaga_gfx_ffi.so.0");

    private static final LibrarySearch<RutabagaGfxFfi> SEARCH = new LibrarySearch<>("rutabaga", RutabagaGfxFfi.class,
            "librutabaga_gfx_ffi", LIBRARY_ENV, DEFAULT_NAMES, "install librutabaga_gfx_ffi 0.1.2 or later (Fedora:"
                    + " rutabaga-gfx-ffi; Debian does not package it) and set library_path in configuration "
                    + RutabagaBackendConfig.PID + " (or the environment variable " + LIBRARY_ENV + ") to the full"
                    + " path of librutabaga_gfx_ffi.so");

    private RutabagaNative() {
    }

    /**
     * Finds the library for a configured path (blank for none) and an environment (where
     * {@value #LIBRARY_ENV} is read).
     */
    static LoadedLibrary<RutabagaGfxFfi> find(String configuredPath, Map<String, String> environment) {
        if (Native.POINTER_SIZE != Long.BYTES || Native.SIZE_T_SIZE != Long.BYTES) {
            return LoadedLibrary.unavailable("rutabaga", "librutabaga_gfx_ffi needs a 64-bit JVM; this one has "
                    + Native.POINTER_SIZE * 8 + "-bit pointers");
        }
        return SEARCH.find(configuredPath, environment.get(LIBRARY_ENV));
    }
}
