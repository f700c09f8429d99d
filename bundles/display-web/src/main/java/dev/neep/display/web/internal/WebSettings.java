package dev.neep.display.web.internal;

import dev.neep.config.support.ConfigurationRefused;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** The checked configuration of the web viewer. */
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

    /** @throws ConfigurationRefused naming the property and its value when one is unusable */
    static WebSettings from(WebDisplayConfig config) {
        String host = config.host().trim();
        if (host.length() > 253 || !HOST_SYNTAX.matcher(host).matches()) {
            throw new ConfigurationRefused(WebDisplayConfig.PID, HOST, config.host(),
                    "is not a host name or an IPv4/IPv6 address");
        }
        if (config.port() < 0 || config.port() > 65535) {
            throw new ConfigurationRefused(WebDisplayConfig.PID, PORT, config.port(),
                    "must be a TCP port number 0..65535 (0 takes a free one)");
        }
        if (config.min__interval__ms() < 0) {
            throw new ConfigurationRefused(WebDisplayConfig.PID, MIN_INTERVAL_MS, config.min__interval__ms(),
                    "must be 0 or more milliseconds");
        }
        return new WebSettings(host, address(host), config.port(), config.min__interval__ms());
    }

    private static InetAddress address(String host) {
        String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException | SecurityException e) {
            throw new ConfigurationRefused(WebDisplayConfig.PID, HOST, host, "does not resolve (" + e.getMessage() + ")");
        }
    }
}
