package dev.neep.backend.support;

import com.sun.jna.Library;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where a backend looks for its native library, in this order: the configured
 * {@code library_path}, an override the tests use (an environment variable or a system
 * property), and the library's usual names on the system linker path. The first place that is
 * set is the only one tried: a wrong configured path is reported, not papered over by a
 * different library found elsewhere. A library that loaded is remembered per place (JNA keeps
 * one native handle per library anyway); a failure is not, so a library installed later is
 * found on the next look.
 */
public final class LibrarySearch<T extends Library> {

    private final String backend;
    private final Class<T> type;
    private final String fileName;
    private final String overrideName;
    private final List<String> defaultNames;
    private final String advice;
    private final Map<String, LoadedLibrary<T>> loaded = new ConcurrentHashMap<>();

    /**
     * @param backend      the backend's name in messages ("virgl")
     * @param fileName     the library's file name in messages ("libvirglrenderer")
     * @param overrideName the environment variable or system property the override comes from
     * @param defaultNames the names to try on the linker path
     * @param advice       how to install the library or point neep at it
     */
    public LibrarySearch(String backend, Class<T> type, String fileName, String overrideName,
            List<String> defaultNames, String advice) {
        this.backend = backend;
        this.type = type;
        this.fileName = fileName;
        this.overrideName = overrideName;
        this.defaultNames = List.copyOf(defaultNames);
        this.advice = advice;
    }

    /** The library at {@code configuredPath}, else at {@code override}, else on the linker path (blank: not set). */
    public LoadedLibrary<T> find(String configuredPath, String override) {
        List<String> candidates;
        String source;
        if (configuredPath != null && !configuredPath.isBlank()) {
            candidates = List.of(configuredPath.trim());
            source = "library_path";
        } else if (override != null && !override.isBlank()) {
            candidates = List.of(override.trim());
            source = overrideName;
        } else {
            candidates = defaultNames;
            source = "the linker path";
        }
        String key = String.join("|", candidates);
        LoadedLibrary<T> known = loaded.get(key);
        if (known != null) {
            return known;
        }
        LoadedLibrary<T> found = LoadedLibrary.load(backend, type, candidates, fileName, " from " + source, advice);
        return found.available() ? loaded.computeIfAbsent(key, k -> found) : found;
    }
}
