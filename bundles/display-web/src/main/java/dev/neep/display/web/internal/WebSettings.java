package dev.neep.display.web.internal;

import dev.neep.display.support.ConfigReader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The checked configuration of the web viewer, read by {@link ConfigReader} so that a value it
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
        ConfigReader config = new ConfigReader(WebDisplayConfig.PID, properties);
        String host = config.string(HOST, DEFAULT_HOST, "a host name or address as a string").trim();
        if (host.length() > 253 || !HOST_SYNTAX.matcher(host).matches()) {
            throw config.refused(HOST, properties.get(HOST), "a host name or an IPv4/IPv6 address");
        }
        InetAddress address = address(config, host);
        long port = config.wholeNumber(PORT, DEFAULT_PORT, "a TCP port number 0..65535");
        if (port < 0 || port > 65535) {
            throw config.refused(PORT, properties.get(PORT), "a TCP port number 0..65535 (0 takes a free one)");
        }
        return new WebSettings(host, address, (int) port,
                config.milliseconds(MIN_INTERVAL_MS, DEFAULT_MIN_INTERVAL_MS));
    }

    private static InetAddress address(ConfigReader config, String host) {
        String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException | SecurityException e) {
            throw config.refused(HOST, host, "a host name that resolves (" + e.getMessage() + ")");
        }
    }
}
