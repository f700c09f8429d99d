package dev.neep.display.png.internal;

import dev.neep.config.support.ConfigurationRefused;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** The checked configuration of the PNG sink. */
record PngSettings(Path directory, long minIntervalMs, int keep) {
    static final String DIRECTORY = "directory";
    static final String MIN_INTERVAL_MS = "min_interval_ms";
    static final String KEEP = "keep";
    static final long DEFAULT_MIN_INTERVAL_MS = 500;
    /** Bounds the disk a long run takes: a 1024x768 snapshot is about 1 MB, so about 100 MB per scanout. */
    static final int DEFAULT_KEEP = 100;

    static Path defaultDirectory() {
        return Path.of(System.getProperty("java.io.tmpdir"), "neep-png");
    }

    /** @throws ConfigurationRefused naming the property and its value when one is unusable */
    static PngSettings from(PngDisplayConfig config) {
        if (config.min__interval__ms() < 0) {
            throw new ConfigurationRefused(PngDisplayConfig.PID, MIN_INTERVAL_MS, config.min__interval__ms(),
                    "must be 0 or more milliseconds");
        }
        if (config.keep() < 0) {
            throw new ConfigurationRefused(PngDisplayConfig.PID, KEEP, config.keep(), "must be 0 or more snapshots");
        }
        return new PngSettings(directory(config.directory()), config.min__interval__ms(), config.keep());
    }

    private static Path directory(String dir) {
        if (dir.isEmpty()) {
            return defaultDirectory();
        }
        try {
            return Path.of(dir);
        } catch (InvalidPathException e) {
            throw new ConfigurationRefused(PngDisplayConfig.PID, DIRECTORY, dir, "is not a valid path: " + e.getReason());
        }
    }
}
