package dev.neep.display.png.internal;

import dev.neep.display.support.ConfigReader;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The checked configuration of the PNG sink, read by {@link ConfigReader} so that a value it
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
        ConfigReader config = new ConfigReader(PngDisplayConfig.PID, properties);
        return new PngSettings(directory(config), config.milliseconds(MIN_INTERVAL_MS, DEFAULT_MIN_INTERVAL_MS));
    }

    private static Path directory(ConfigReader config) {
        String dir = config.string(DIRECTORY, null, "a path as a string");
        if (dir == null) {
            return defaultDirectory();
        }
        try {
            return Path.of(dir);
        } catch (InvalidPathException e) {
            throw config.refused(DIRECTORY, dir, "a valid path: " + e.getReason());
        }
    }
}
