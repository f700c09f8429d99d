package dev.neep.display.window.internal;

import java.util.Map;

/**
 * The checked configuration of the window sink. {@link #from} reads ConfigAdmin's raw values
 * itself, rather than through DS's coercion into {@link WindowDisplayConfig}, so that a value it
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
        return new WindowSettings(title(properties.get(TITLE)), scale(properties.get(SCALE)));
    }

    private static String title(Object value) {
        if (value == null || value.toString().isBlank()) {
            return DEFAULT_TITLE;
        }
        if (!(value instanceof String)) {
            throw refused(TITLE, value, "a string");
        }
        return ((String) value).strip();
    }

    private static double scale(Object value) {
        if (value == null || value.toString().isBlank()) {
            return DEFAULT_SCALE;
        }
        double scale;
        if (value instanceof Number) {
            scale = ((Number) value).doubleValue();
        } else if (value instanceof String) {
            try {
                scale = Double.parseDouble(((String) value).trim());
            } catch (NumberFormatException e) {
                throw refused(SCALE, value, "a number " + MIN_SCALE + " to " + MAX_SCALE);
            }
        } else {
            throw refused(SCALE, value, "a number " + MIN_SCALE + " to " + MAX_SCALE);
        }
        // The negated test also refuses NaN.
        if (!(scale >= MIN_SCALE && scale <= MAX_SCALE)) {
            throw refused(SCALE, value, "a number " + MIN_SCALE + " to " + MAX_SCALE);
        }
        return scale;
    }

    static IllegalArgumentException refused(String property, Object value, String expected) {
        return new IllegalArgumentException(WindowDisplayConfig.PID + ": " + property + " = '" + value + "' ("
                + value.getClass().getSimpleName() + ") is refused; expected " + expected);
    }
}
