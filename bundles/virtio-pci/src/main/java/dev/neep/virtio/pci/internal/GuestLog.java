package dev.neep.virtio.pci.internal;

import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;

/**
 * Logs a guest mistake once per cause and counts the repeats, so a driver that does the
 * same wrong access in a loop cannot flood the host log. Thread-safe.
 */
public final class GuestLog {
    private final Logger log;
    private final String name;
    private final Map<String, Long> counts = new HashMap<>();

    public GuestLog(Logger log, String name) {
        this.log = log;
        this.name = name;
    }

    public void guest(String cause, String detail) {
        if (first(cause)) {
            log.warn("{}: guest error {}: {} (logged once per cause; repeats are counted)", name, cause, detail);
        } else {
            log.debug("{}: guest error {}: {}", name, cause, detail);
        }
    }

    public synchronized long count(String cause) {
        return counts.getOrDefault(cause, 0L);
    }

    private synchronized boolean first(String cause) {
        return counts.merge(cause, 1L, Long::sum) == 1;
    }
}
