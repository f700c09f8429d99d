package dev.neep.gpu.vga.internal;

import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;

/**
 * Logs each cause once at WARN and its repeats at DEBUG, counting them: a guest that makes
 * the same mistake in a loop, or a sink that throws on every frame, cannot flood the log.
 * Thread-safe.
 */
final class OnceLog {
    private final Logger log;
    private final String name;
    private final Map<String, Long> counts = new HashMap<>();

    OnceLog(Logger log, String name) {
        this.log = log;
        this.name = name;
    }

    /** A guest mistake: answered by ignoring or refusing it. */
    void guest(String cause, String detail) {
        if (first(cause)) {
            log.warn("{}: guest error {}: {} (logged once per cause; repeats are counted)", name, cause, detail);
        } else {
            log.debug("{}: guest error {}: {}", name, cause, detail);
        }
    }

    /** A fault outside the guest (a sink that threw), with its cause. */
    void host(String cause, String detail, Throwable error) {
        if (first(cause)) {
            log.error("{}: {}: {} (logged once per cause)", name, cause, detail, error);
        } else {
            log.debug("{}: {}: {}", name, cause, detail, error);
        }
    }

    synchronized long count(String cause) {
        return counts.getOrDefault(cause, 0L);
    }

    private synchronized boolean first(String cause) {
        return counts.merge(cause, 1L, Long::sum) == 1;
    }
}
