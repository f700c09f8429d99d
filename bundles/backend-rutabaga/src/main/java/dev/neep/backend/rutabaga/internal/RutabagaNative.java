package dev.neep.backend.rutabaga.internal;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.protocol.CtrlType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

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

    private static final Map<String, Loaded> LOADED = new ConcurrentHashMap<>();

    /** The outcome of looking for the library: the binding, or why there is none. */
    record Loaded(RutabagaGfxFfi library, String location, String reason) {

        boolean available() {
            return library != null;
        }

        /** "not available: <reason>", or {@code null} when the library loaded. */
        String unavailableReason() {
            return library == null ? "not available: " + reason : null;
        }

        RutabagaGfxFfi require() throws GpuBackendException {
            if (library == null) {
                throw new GpuBackendException(CtrlType.RESP_ERR_UNSPEC, "rutabaga backend " + unavailableReason());
            }
            return library;
        }
    }

    private RutabagaNative() {
    }

    /**
     * Finds the library for a configured path (blank for none) and an environment (where
     * {@value #LIBRARY_ENV} is read).
     */
    static Loaded find(String configuredPath, Map<String, String> environment) {
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
        Loaded known = LOADED.get(key);
        if (known != null) {
            return known;
        }
        Loaded loaded = load(candidates, source);
        // Only successes are kept: a library installed later is found on the next look.
        return loaded.available() ? LOADED.computeIfAbsent(key, k -> loaded) : loaded;
    }

    private static Loaded load(List<String> candidates, String source) {
        if (Native.POINTER_SIZE != Long.BYTES || Native.SIZE_T_SIZE != Long.BYTES) {
            return new Loaded(null, null, "librutabaga_gfx_ffi needs a 64-bit JVM; this one has "
                    + Native.POINTER_SIZE * 8 + "-bit pointers");
        }
        List<String> failures = new ArrayList<>();
        for (String name : candidates) {
            try {
                return new Loaded(bind(name), name, null);
            } catch (LinkageError | RuntimeException e) {
                failures.add(name + ": " + loadError(e));
            }
        }
        return new Loaded(null, null, "librutabaga_gfx_ffi could not be loaded from " + source + " ("
                + String.join("; ", failures) + "); " + HOW_TO_POINT);
    }

    private static RutabagaGfxFfi bind(String name) {
        RutabagaGfxFfi library = Native.load(name, RutabagaGfxFfi.class);
        // JNA binds functions lazily; look every one up now so a library without one of them is
        // refused here, naming it, rather than on the guest's first use of that command.
        NativeLibrary nativeLibrary = NativeLibrary.getInstance(name);
        for (Method method : RutabagaGfxFfi.class.getMethods()) {
            if (!method.isDefault() && !Modifier.isStatic(method.getModifiers())) {
                nativeLibrary.getFunction(method.getName());
            }
        }
        return library;
    }

    // JNA's message repeats the dlopen error per attempt and lists the whole class path as its
    // "resource path"; the dlopen lines say what is wrong.
    private static String loadError(Throwable e) {
        String message = String.valueOf(e.getMessage());
        String kept = message.lines()
                .filter(line -> !line.startsWith("Unable to load library") && !line.startsWith("Native library"))
                .distinct()
                .collect(Collectors.joining("; "));
        return kept.isEmpty() ? message : kept;
    }
}
