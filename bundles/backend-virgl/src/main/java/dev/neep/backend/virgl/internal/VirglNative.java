package dev.neep.backend.virgl.internal;

import dev.neep.backend.support.LibrarySearch;
import dev.neep.backend.support.LoadedLibrary;
import java.util.List;

/**
 * The one way in to libvirglrenderer: looked for at the configured {@code library_path}, else
 * where the system property {@value #LIBRARY_PROPERTY} points, else under its usual names (see
 * {@link LibrarySearch}). A failure is kept with its reason (see {@link LoadedLibrary}), so the
 * bundle can say "not available" and keep its provider unregistered.
 */
final class VirglNative {

    /** System property naming the library (a file name or path) when no library_path is configured. */
    static final String LIBRARY_PROPERTY = "neep.virgl.library";

    // Debian's runtime package ships only the versioned name; the unversioned link comes
    // with libvirglrenderer-dev. Try both, the plain name first so jna.library.path works.
    private static final List<String> DEFAULT_NAMES = List.of("virglrenderer", "libvirglrenderer.so.1");

    private static final LibrarySearch<VirglRenderer> SEARCH = new LibrarySearch<>("virgl", VirglRenderer.class,
            "libvirglrenderer", LIBRARY_PROPERTY, DEFAULT_NAMES, "on Debian install libvirglrenderer1, libegl1,"
                    + " libegl-mesa0 and libgl1-mesa-dri, or set library_path in configuration " + VirglBackendConfig.PID
                    + " (or -D" + LIBRARY_PROPERTY + ") to the library's path");

    private VirglNative() {
    }

    /** The library at {@code configuredPath} (blank: where the system property or the linker says). */
    static LoadedLibrary<VirglRenderer> find(String configuredPath) {
        return SEARCH.find(configuredPath, System.getProperty(LIBRARY_PROPERTY));
    }
}
