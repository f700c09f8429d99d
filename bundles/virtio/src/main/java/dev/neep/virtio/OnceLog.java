package dev.neep.virtio;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;

/**
 * Logs each cause once and counts the repeats, so a guest that makes the same mistake in a
 * loop (or a backend or sink that fails the same way every frame) cannot flood the host log.
 * A cause is a short stable key, e.g. {@code "CMD_SET_SCANOUT: scanout_id"}; the first line
 * of each says that later ones are only counted, and the repeats go to DEBUG.
 *
 * <p>Every line starts with the name of the device that reports it, so that two devices on
 * one host can be told apart. Thread-safe: sinks and fence callbacks may report from other
 * threads.
 */
public final class OnceLog {
    private final Logger log;
    private final String name;
    private final Map<String, Long> counts = new HashMap<>();

    public OnceLog(Logger log, String name) {
        this.log = Objects.requireNonNull(log, "log");
        this.name = Objects.requireNonNull(name, "name");
    }

    /** A guest mistake, answered with an error or ignored: WARN once per cause. */
    public void guest(String cause, String detail) {
        if (first(cause)) {
            log.warn("{}: guest error {}: {} (logged once per cause; repeats are counted)", name, cause, detail);
        } else {
            log.debug("{}: guest error {}: {}", name, cause, detail);
        }
    }

    /** A host fault (backend, sink, bug): ERROR with its cause, once per cause. */
    public void host(String cause, String detail, Throwable error) {
        if (first(cause)) {
            log.error("{}: host fault {}: {} (logged once per cause; repeats are counted)", name, cause, detail,
                    error);
        } else {
            log.debug("{}: host fault {}: {}", name, cause, detail, error);
        }
    }

    /** How often {@code cause} was reported, the first time included. */
    public synchronized long count(String cause) {
        return counts.getOrDefault(cause, 0L);
    }

    private synchronized boolean first(String cause) {
        return counts.merge(cause, 1L, Long::sum) == 1;
    }
}
