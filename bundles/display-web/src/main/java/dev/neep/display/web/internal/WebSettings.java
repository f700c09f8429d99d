package dev.neep.display.web.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The checked configuration of the web viewer. {@link #from} reads ConfigAdmin's raw values
 * itself, rather than through DS's coercion into {@link WebDisplayConfig}, so that a value it
 * cannot use is refused with the property's name and the value as given.
 */
record WebSettings(String host, InetAddress address, int port, long minIntervalMs) {
    static final String HOST = "host";
    static final String PORT = "port";
    static final String MIN_INTERVAL_MS = "min_interval_ms";
    static final String DEFAULT_HOST = "127.0.0.1";
    static final int DEFAULT_PORT = 8077;
    static final long DEFAULT_MIN_INTERVAL_MS = 100;

    /**
     * What a host name or address literal may look like (RFC 1123 names, IPv4, IPv6 with an
     * optional zone). Checked before any lookup, so that a mistyped value is refused at once
     * instead of after a resolver timeout.
     */
    private static final Pattern HOST_SYNTAX = Pattern.compile(
            "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?"
                    + "|\\[?[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(?:%[A-Za-z0-9_.-]+)?]?");

    /**
     * @throws IllegalArgumentException naming the property and its value when one is unusable;
     *         absent or empty properties take their defaults
     */
    static WebSettings from(Map<String, ?> properties) {
        String host = host(properties.get(HOST));
        return new WebSettings(host, address(host), port(properties.get(PORT)),
                minInterval(properties.get(MIN_INTERVAL_MS)));
    }

    private static String host(Object value) {
        if (value == null || value.toString().isBlank()) {
            return DEFAULT_HOST;
        }
        if (!(value instanceof String)) {
            throw refused(HOST, value, "a host name or address as a string");
        }
        String host = ((String) value).trim();
        if (host.length() > 253 || !HOST_SYNTAX.matcher(host).matches()) {
            throw refused(HOST, value, "a host name or an IPv4/IPv6 address");
        }
        return host;
    }

    private static InetAddress address(String host) {
        String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException | SecurityException e) {
            throw refused(HOST, host, "a host name that resolves (" + e.getMessage() + ")");
        }
    }

    private static int port(Object value) {
        long port = wholeNumber(PORT, value, DEFAULT_PORT, "a TCP port number 0..65535");
        if (port < 0 || port > 65535) {
            throw refused(PORT, value, "a TCP port number 0..65535 (0 takes a free one)");
        }
        return (int) port;
    }

    private static long minInterval(Object value) {
        long ms = wholeNumber(MIN_INTERVAL_MS, value, DEFAULT_MIN_INTERVAL_MS, "a whole number of milliseconds");
        if (ms < 0) {
            throw refused(MIN_INTERVAL_MS, value, "0 or more milliseconds");
        }
        return ms;
    }

    private static long wholeNumber(String property, Object value, long defaultValue, String expected) {
        if (value == null || value.toString().isBlank()) {
            return defaultValue;
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof String) {
            try {
                return Long.parseLong(((String) value).trim());
            } catch (NumberFormatException e) {
                throw refused(property, value, expected);
            }
        }
        throw refused(property, value, expected);
    }

    static IllegalArgumentException refused(String property, Object value, String expected) {
        return new IllegalArgumentException(WebDisplayConfig.PID + ": " + property + " = '" + value + "' ("
                + value.getClass().getSimpleName() + ") is refused; expected " + expected);
    }
}
