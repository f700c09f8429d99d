package dev.neep.display.support;

import java.util.Map;
import java.util.function.Function;

/**
 * Reads one PID's configuration from ConfigAdmin's raw values, rather than through DS's
 * coercion into the component's metatype interface, so that a value a sink cannot use is
 * refused with the property's name and the value as given (see {@link #refused}). Absent and
 * blank values take their defaults.
 */
public final class ConfigReader {
    private final String pid;
    private final Map<String, ?> properties;

    public ConfigReader(String pid, Map<String, ?> properties) {
        this.pid = pid;
        this.properties = properties;
    }

    /**
     * The value as given (not trimmed), or {@code defaultValue} when absent or blank.
     *
     * @param expected what the refusal says was expected
     * @throws IllegalArgumentException naming property and value when it is not a string
     */
    public String string(String property, String defaultValue, String expected) {
        Object value = properties.get(property);
        if (absent(value)) {
            return defaultValue;
        }
        if (!(value instanceof String)) {
            throw refused(property, value, expected);
        }
        return (String) value;
    }

    /**
     * An integral number, or a string holding one; {@code defaultValue} when absent or blank.
     *
     * @param expected what the refusal says was expected
     * @throws IllegalArgumentException naming property and value when it is neither
     */
    public long wholeNumber(String property, long defaultValue, String expected) {
        Object value = properties.get(property);
        if (absent(value)) {
            return defaultValue;
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        return parsed(property, value, Long::parseLong, expected);
    }

    /**
     * A whole number of milliseconds, 0 or more; {@code defaultValue} when absent or blank.
     *
     * @throws IllegalArgumentException naming property and value otherwise
     */
    public long milliseconds(String property, long defaultValue) {
        long ms = wholeNumber(property, defaultValue, "a whole number of milliseconds");
        if (ms < 0) {
            throw refused(property, properties.get(property), "0 or more milliseconds");
        }
        return ms;
    }

    /**
     * Any number, or a string holding one; {@code defaultValue} when absent or blank.
     *
     * @param expected what the refusal says was expected
     * @throws IllegalArgumentException naming property and value when it is neither
     */
    public double number(String property, double defaultValue, String expected) {
        Object value = properties.get(property);
        if (absent(value)) {
            return defaultValue;
        }
        if (value instanceof Number) {
            return ((Number) value).doubleValue();
        }
        return parsed(property, value, Double::parseDouble, expected);
    }

    /** {@link #refused(String, String, Object, String)} for this reader's PID. */
    public IllegalArgumentException refused(String property, Object value, String expected) {
        return refused(pid, property, value, expected);
    }

    /**
     * The refusal of an unusable value: {@code <pid>: <property> = '<value>' (<type>) is refused;
     * expected <expected>}. Also for checks made after reading, such as a directory that cannot
     * be created.
     */
    public static IllegalArgumentException refused(String pid, String property, Object value, String expected) {
        return new IllegalArgumentException(pid + ": " + property + " = '" + value + "' ("
                + value.getClass().getSimpleName() + ") is refused; expected " + expected);
    }

    /** A string value parsed, trimmed; anything else, or a string that does not parse, is refused. */
    private <T> T parsed(String property, Object value, Function<String, T> parser, String expected) {
        if (value instanceof String) {
            try {
                return parser.apply(((String) value).trim());
            } catch (NumberFormatException e) {
                throw refused(property, value, expected);
            }
        }
        throw refused(property, value, expected);
    }

    private static boolean absent(Object value) {
        return value == null || value.toString().isBlank();
    }
}
