package dev.neep.backend.virgl.internal;

import dev.neep.backend.support.LoadedLibrary;
import dev.neep.gpu.api.GpuBackendException;
import java.util.List;

/**
 * The one way in to libvirglrenderer. Loading happens once per class loader; a failure is kept
 * with its reason (see {@link LoadedLibrary}), so the bundle can say "not available" and keep
 * its provider unregistered.
 */
final class VirglNative {

    /** System property naming the library (a file name or path) instead of the defaults. */
    static final String LIBRARY_PROPERTY = "neep.virgl.library";

    // Debian's runtime package ships only the versioned name; the unversioned link comes
    // with libvirglrenderer-dev. Try both, the plain name first so jna.library.path works.
    private static final List<String> DEFAULT_NAMES = List.of("virglrenderer", "libvirglrenderer.so.1");

    static final LoadedLibrary<VirglRenderer> LOADED;

    static {
        String configured = System.getProperty(LIBRARY_PROPERTY);
        List<String> names = configured != null && !configured.isBlank() ? List.of(configured) : DEFAULT_NAMES;
        LOADED = LoadedLibrary.load("virgl", VirglRenderer.class, names, "libvirglrenderer", "",
                "on Debian install libvirglrenderer1, libegl1, libegl-mesa0 and libgl1-mesa-dri, or set -D"
                        + LIBRARY_PROPERTY + " to the library's path");
    }

    private VirglNative() {
    }

    static boolean available() {
        return LOADED.available();
    }

    /** "not available: <reason>", or {@code null} when the library loaded. */
    static String unavailableReason() {
        return LOADED.unavailableReason();
    }

    static VirglRenderer library() throws GpuBackendException {
        return LOADED.require();
    }
}
