package dev.neep.backend.support;

import com.sun.jna.Library;
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
 * The outcome of looking for a backend's native library: the JNA binding and where it was
 * found, or why there is none. A failure (no library, no JNA dispatch library, a library
 * without a function the binding declares) is kept with its reason instead of surfacing as a
 * class-loading crash, so the bundle can say "not available" and keep its provider unregistered.
 *
 * @param backend  the backend's name in messages ("virgl")
 * @param library  the binding, or {@code null}
 * @param location the name or path it was loaded from, or {@code null}
 * @param reason   why there is no binding, or {@code null}
 */
public record LoadedLibrary<T>(String backend, T library, String location, String reason) {

    /**
     * Binds {@code type} to the first of {@code candidates} that loads. The reason for none reads
     * "{@code fileName} could not be loaded{@code from} (one failure per candidate); {@code advice}".
     *
     * @param from where the candidates came from, as " from ..." , or "" to say nothing
     */
    public static <T extends Library> LoadedLibrary<T> load(String backend, Class<T> type, List<String> candidates,
            String fileName, String from, String advice) {
        List<String> failures = new ArrayList<>();
        for (String name : candidates) {
            try {
                return new LoadedLibrary<>(backend, bind(name, type), name, null);
            } catch (LinkageError | RuntimeException e) {
                failures.add(name + ": " + loadError(e));
            }
        }
        return unavailable(backend, fileName + " could not be loaded" + from + " (" + String.join("; ", failures)
                + "); " + advice);
    }

    public static <T> LoadedLibrary<T> unavailable(String backend, String reason) {
        return new LoadedLibrary<>(backend, null, null, reason);
    }

    public boolean available() {
        return library != null;
    }

    /** "not available: <reason>", or {@code null} when the library loaded. */
    public String unavailableReason() {
        return library == null ? "not available: " + reason : null;
    }

    /** The binding, or RESP_ERR_UNSPEC saying why there is none. */
    public T require() throws GpuBackendException {
        if (library == null) {
            throw new GpuBackendException(CtrlType.RESP_ERR_UNSPEC, backend + " backend " + unavailableReason());
        }
        return library;
    }

    private static <T extends Library> T bind(String name, Class<T> type) {
        T library = Native.load(name, type);
        // JNA binds functions lazily; look every one up now so a library without one of them is
        // refused here, naming it, rather than on the guest's first use of that command.
        NativeLibrary nativeLibrary = NativeLibrary.getInstance(name);
        for (Method method : type.getMethods()) {
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
