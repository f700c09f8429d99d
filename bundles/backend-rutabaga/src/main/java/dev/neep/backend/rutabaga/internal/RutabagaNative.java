package dev.neep.backend.rutabaga.internal;

import com.sun.jna.Native;
import dev.neep.backend.support.LoadedLibrary;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one way in to librutabaga_gfx_ffi. The library is looked for, in this order, at the
 * configured {@code library_path}, at the path in the environment variable
 * {@value #LIBRARY_ENV}, and under its usual names on the system linker path. The first place
 * that is set is the only one tried: a wrong configured path is reported, not papered over by a
 * different library found elsewhere.
 *
 * <p>A failure (no library, no JNA dispatch library, a library without one of the 0.1.2
 * functions, a 32-bit JVM) is recorded with its reason instead of surfacing as a class-loading
 * crash, so the bundle can say "not available" and keep its provider unregistered. A library
 * that loaded is remembered per location (JNA keeps one native handle per library anyway).
 */
final class RutabagaNative {

    /** Environment variable holding the full path of the library (used by the tests). */
    static final String LIBRARY_ENV = "NEEP_RUTABAGA_LIBRARY";

    /** Names on the linker path: the development link first, then the runtime soname. */
    private static final List<String> DEFAULT_NAMES = List.of("rutabaga_gfx_ffi", "librutabaga_gfx_ffi.so.0");

    private static final String HOW_TO_POINT = "install librutabaga_gfx_ffi 0.1.2 or later (Fedora: rutabaga-gfx-ffi;"
            + " Debian does not package it) and set library_path in configuration " + RutabagaLibraryConfig.PID
            + " (or the environment variable " + LIBRARY_ENV + ") to the full path of librutabaga_gfx_ffi.so";

    private static final Map<String, LoadedLibrary<RutabagaGfxFfi>> LOADED = new ConcurrentHashMap<>();

    private RutabagaNative() {
    }

    /**
     * Finds the library for a configured path (blank for none) and an environment (where
     * {@value #LIBRARY_ENV} is read).
     */
    static LoadedLibrary<RutabagaGfxFfi> find(String configuredPath, Map<String, String> environment) {
        String fromEnvironment = environment.get(LIBRARY_ENV);
        List<String> candidates;
        String source;
        if (configuredPath != null && !configuredPath.isBlank()) {
            candidates = List.of(configuredPath.trim());
            source = "library_path";
        } else if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            candidates = List.of(fromEnvironment.trim());
            source = LIBRARY_ENV;
        } else {
            candidates = DEFAULT_NAMES;
            source = "the linker path";
        }
        String key = String.join("|", candidates);
        LoadedLibrary<RutabagaGfxFfi> known = LOADED.get(key);
        if (known != null) {
            return known;
        }
        LoadedLibrary<RutabagaGfxFfi> loaded = load(candidates, source);
        // Only successes are kept: a library installed later is found on the next look.
        return loaded.available() ? LOADED.computeIfAbsent(key, k -> loaded) : loaded;
    }

    private static LoadedLibrary<RutabagaGfxFfi> load(List<String> candidates, String source) {
        if (Native.POINTER_SIZE != Long.BYTES || Native.SIZE_T_SIZE != Long.BYTES) {
            return LoadedLibrary.unavailable("rutabaga", "librutabaga_gfx_ffi needs a 64-bit JVM; this one has "
                    + Native.POINTER_SIZE * 8 + "-bit pointers");
        }
        return LoadedLibrary.load("rutabaga", RutabagaGfxFfi.class, candidates, "librutabaga_gfx_ffi",
                " from " + source, HOW_TO_POINT);
    }
}
