package dev.neep.display.window.internal;

import dev.neep.config.support.ConfigurationRefused;

/** The checked configuration of the window sink. */
record WindowSettings(String title, double scale) {
    static final String SCALE = "scale";
    static final String DEFAULT_TITLE = "neep";
    static final double DEFAULT_SCALE = 1.0;
    static final double MIN_SCALE = 0.25;
    static final double MAX_SCALE = 8.0;

    /** @throws ConfigurationRefused naming the property and its value when one is unusable */
    static WindowSettings from(WindowDisplayConfig config) {
        String title = config.title().strip();
        // The negated test also refuses NaN.
        if (!(config.scale() >= MIN_SCALE && config.scale() <= MAX_SCALE)) {
            throw new ConfigurationRefused(WindowDisplayConfig.PID, SCALE, config.scale(),
                    "must be a number " + MIN_SCALE + " to " + MAX_SCALE);
        }
        return new WindowSettings(title.isEmpty() ? DEFAULT_TITLE : title, config.scale());
    }
}
