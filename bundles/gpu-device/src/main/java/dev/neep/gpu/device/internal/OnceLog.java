package dev.neep.gpu.device.internal;

import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;

/**
 * Logs each cause once and counts the repeats, so a guest that sends the same bad command in
 * a loop (or a backend that fails the same way every frame) cannot flood the host log. A
 * cause is a short stable key, e.g. {@code "CMD_SET_SCANOUT: scanout_id"}; the first line of
 * each says that later ones are only counted.
 *
 * <p>Thread-safe: sinks and fence callbacks may report from other threads.
 */
final class OnceLog {
    private final Logger log;
    private final Map<String, Long> counts = new HashMap<>();

    OnceLog(Logger log) {
        this.log = log;
    }

    /** A guest mistake: answered with an error response, logged at WARN once per cause. */
    void guest(String cause, String detail) {
        if (first(cause)) {
            log.warn("guest error {}: {} (logged once per cause; repeats are counted)", cause, detail);
        } else {
            log.debug("guest error {}: {}", cause, detail);
        }
    }

    /** A host fault (backend, sink, bug): logged at ERROR with its cause once per cause. */
    void host(String cause, String detail, Throwable t) {
        if (first(cause)) {
            log.error("host fault {}: {} (logged once per cause; repeats are counted)", cause, detail, t);
        } else {
            log.debug("host fault {}: {}", cause, detail, t);
        }
    }

    /** How often {@code cause} was reported. */
    synchronized long count(String cause) {
        return counts.getOrDefault(cause, 0L);
    }

    private synchronized boolean first(String cause) {
        long n = counts.merge(cause, 1L, Long::sum);
        return n == 1;
    }
}
