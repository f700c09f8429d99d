package dev.neep.display.window.internal;

import dev.neep.display.support.ConfigReader;
import java.util.Map;

/**
 * The checked configuration of the window sink, read by {@link ConfigReader} so that a value it
 * cannot use is refused with the property's name and the value as given.
 */
record WindowSettings(String title, double scale) {
    static final String TITLE = "title";
    static final String SCALE = "scale";
    static final String DEFAULT_TITLE = "neep";
    static final double DEFAULT_SCALE = 1.0;
    static final double MIN_SCALE = 0.25;
    static final double MAX_SCALE = 8.0;

    /**
     * @throws IllegalArgumentException naming the property and its value when one is unusable;
     *         absent or empty properties take their defaults
     */
    static WindowSettings from(Map<String, ?> properties) {
        ConfigReader config = new ConfigReader(WindowDisplayConfig.PID, properties);
        String title = config.string(TITLE, DEFAULT_TITLE, "a string").strip();
        String expected = "a number " + MIN_SCALE + " to " + MAX_SCALE;
        double scale = config.number(SCALE, DEFAULT_SCALE, expected);
        // The negated test also refuses NaN.
        if (!(scale >= MIN_SCALE && scale <= MAX_SCALE)) {
            throw config.refused(SCALE, properties.get(SCALE), expected);
        }
        return new WindowSettings(title, scale);
    }
}
