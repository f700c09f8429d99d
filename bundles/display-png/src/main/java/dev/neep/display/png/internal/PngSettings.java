package dev.neep.display.png.internal;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The checked configuration of the PNG sink. {@link #from} reads ConfigAdmin's raw values
 * itself, rather than through DS's coercion into {@link PngDisplayConfig}, so that a value it
 * cannot use is refused with the property's name and the value as given.
 */
record PngSettings(Path directory, long minIntervalMs) {
    static final String DIRECTORY = "directory";
    static final String MIN_INTERVAL_MS = "min_interval_ms";
    static final long DEFAULT_MIN_INTERVAL_MS = 500;

    static Path defaultDirectory() {
        return Path.of(System.getProperty("java.io.tmpdir"), "neep-png");
    }

    /**
     * @throws IllegalArgumentException naming the property and its value when one is unusable;
     *         absent or empty properties take their defaults
     */
    static PngSettings from(Map<String, ?> properties) {
        return new PngSettings(directory(properties.get(DIRECTORY)), minInterval(properties.get(MIN_INTERVAL_MS)));
    }

    private static Path directory(Object value) {
        if (value == null || value.toString().isBlank()) {
            return defaultDirectory();
        }
        if (!(value instanceof String)) {
            throw refused(DIRECTORY, value, "a path as a string");
        }
        try {
            return Path.of((String) value);
        } catch (InvalidPathException e) {
            throw refused(DIRECTORY, value, "a valid path: " + e.getReason());
        }
    }

    private static long minInterval(Object value) {
        if (value == null || value.toString().isBlank()) {
            return DEFAULT_MIN_INTERVAL_MS;
        }
        long ms;
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            ms = ((Number) value).longValue();
        } else if (value instanceof String) {
            try {
                ms = Long.parseLong(((String) value).trim());
            } catch (NumberFormatException e) {
                throw refused(MIN_INTERVAL_MS, value, "a whole number of milliseconds");
            }
        } else {
            throw refused(MIN_INTERVAL_MS, value, "a whole number of milliseconds");
        }
        if (ms < 0) {
            throw refused(MIN_INTERVAL_MS, value, "0 or more milliseconds");
        }
        return ms;
    }

    static IllegalArgumentException refused(String property, Object value, String expected) {
        return new IllegalArgumentException(PngDisplayConfig.PID + ": " + property + " = '" + value + "' ("
                + value.getClass().getSimpleName() + ") is refused; expected " + expected);
    }
}
