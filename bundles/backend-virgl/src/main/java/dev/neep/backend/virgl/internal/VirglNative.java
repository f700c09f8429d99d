package dev.neep.backend.virgl.internal;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.protocol.CtrlType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The one way in to libvirglrenderer. Loading happens once per class loader; a failure (no
 * library, no JNA dispatch library, a library without a function we call) is recorded with its
 * reason instead of surfacing as a class-loading crash, so the bundle can say "not available"
 * and keep its provider unregistered.
 */
final class VirglNative {

    /** System property naming the library (a file name or path) instead of the defaults. */
    static final String LIBRARY_PROPERTY = "neep.virgl.library";

    // Debian's runtime package ships only the versioned name; the unversioned link comes
    // with libvirglrenderer-dev. Try both, the plain name first so jna.library.path works.
    private static final List<String> DEFAULT_NAMES = List.of("virglrenderer", "libvirglrenderer.so.1");

    private static final VirglRenderer LIBRARY;
    private static final String UNAVAILABLE_REASON;

    static {
        VirglRenderer library = null;
        String reason = null;
        String configured = System.getProperty(LIBRARY_PROPERTY);
        List<String> names = configured != null && !configured.isBlank() ? List.of(configured) : DEFAULT_NAMES;
        List<String> failures = new ArrayList<>();
        for (String name : names) {
            try {
                library = load(name);
                break;
            } catch (LinkageError | RuntimeException e) {
                failures.add(name + ": " + loadError(e));
            }
        }
        if (library == null) {
            reason = "libvirglrenderer could not be loaded (" + String.join("; ", failures)
                    + "); on Debian install libvirglrenderer1, libegl1, libegl-mesa0 and libgl1-mesa-dri, or set -D"
                    + LIBRARY_PROPERTY + " to the library's path";
        }
        LIBRARY = library;
        UNAVAILABLE_REASON = reason;
    }

    private VirglNative() {
    }

    private static VirglRenderer load(String name) {
        VirglRenderer library = Native.load(name, VirglRenderer.class);
        // JNA binds functions lazily; look every one up now so an old library is refused
        // here, with the missing name, rather than on the guest's first 3D command.
        NativeLibrary nativeLibrary = NativeLibrary.getInstance(name);
        for (Method method : VirglRenderer.class.getMethods()) {
            if (!method.isDefault() && !Modifier.isStatic(method.getModifiers())) {
                nativeLibrary.getFunction(method.getName());
            }
        }
        return library;
    }

    // JNA's message repeats the dlopen error per attempt and lists the whole class path as
    // "resource path"; the dlopen lines say what is wrong.
    private static String loadError(Throwable e) {
        String message = String.valueOf(e.getMessage());
        String kept = message.lines()
                .filter(line -> !line.startsWith("Unable to load library") && !line.startsWith("Native library"))
                .distinct()
                .collect(Collectors.joining("; "));
        return kept.isEmpty() ? message : kept;
    }

    static boolean available() {
        return LIBRARY != null;
    }

    /** "not available: <reason>", or {@code null} when the library loaded. */
    static String unavailableReason() {
        return LIBRARY == null ? "not available: " + UNAVAILABLE_REASON : null;
    }

    static VirglRenderer library() throws GpuBackendException {
        if (LIBRARY == null) {
            throw new GpuBackendException(CtrlType.RESP_ERR_UNSPEC, "virgl backend " + unavailableReason());
        }
        return LIBRARY;
    }
}
