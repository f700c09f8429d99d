package dev.neep.config.support;

/**
 * A configuration value that cannot be used: the message is {@code <pid>: <property>=<value>:
 * <rule>}, e.g. {@code dev.neep.gpu: max_outputs=17: must be 1..16}, so one log line tells the
 * user which file, which line and why.
 */
public final class ConfigurationRefused extends IllegalArgumentException {

    /**
     * A component whose configuration is refused before it activates (by a configuration plugin)
     * is held on a reference whose target is {@code (neep.configuration.refused=<message>)},
     * which no service matches; whoever reports the runtime's state reads the refusal from there.
     */
    public static final String TARGET_PROPERTY = "neep.configuration.refused";

    private static final long serialVersionUID = 1L;

    private final String pid;
    private final String property;

    /**
     * @param value the value as given (an array or collection is shown as a list)
     * @param rule  what the value breaks, e.g. "must be 1..16"
     */
    public ConfigurationRefused(String pid, String property, Object value, String rule) {
        super(pid + ": " + property + "=" + shown(value) + ": " + rule);
        this.pid = pid;
        this.property = property;
    }

    /**
     * {@code value} when it lies in {@code min..max}.
     *
     * @throws ConfigurationRefused naming the property, the value and the range otherwise
     */
    public static long within(String pid, String property, long value, long min, long max) {
        if (value < min || value > max) {
            throw new ConfigurationRefused(pid, property, value,
                    max == Long.MAX_VALUE ? "must be " + min + " or more" : "must be " + min + ".." + max);
        }
        return value;
    }

    public String pid() {
        return pid;
    }

    public String property() {
        return property;
    }

    private static String shown(Object value) {
        if (value != null && value.getClass().isArray()) {
            return TypedConfiguration.elements(value).toString();
        }
        return String.valueOf(value);
    }
}
