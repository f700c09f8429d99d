package dev.neep.display.web.internal;

import dev.neep.config.support.ConfigurationRefused;
import java.util.regex.Pattern;

/** The checked configuration of the web viewer. */
record WebSettings(String host, long minIntervalMs) {
    static final String HOST = "host";
    static final String MIN_INTERVAL_MS = "min_interval_ms";
    static final String DEFAULT_HOST = "localhost";
    static final long DEFAULT_MIN_INTERVAL_MS = 100;

    /** What a host name or address literal may look like (RFC 1123 names, IPv4, IPv6 with an optional zone). */
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
        if (config.min__interval__ms() < 0) {
            throw new ConfigurationRefused(WebDisplayConfig.PID, MIN_INTERVAL_MS, config.min__interval__ms(),
                    "must be 0 or more milliseconds");
        }
        return new WebSettings(host, config.min__interval__ms());
    }
}
