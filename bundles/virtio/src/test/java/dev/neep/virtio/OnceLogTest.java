package dev.neep.virtio;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.Test;
import org.slf4j.Logger;

public class OnceLogTest {

    /** Each logger call as "level format args...", e.g. "warn {}: guest error ... [dev, cause, detail]". */
    private final List<String> calls = new ArrayList<>();
    private final List<Object[]> args = new ArrayList<>();
    private final Logger recording = (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(),
            new Class<?>[] {Logger.class}, (proxy, method, a) -> {
                if (a != null && a.length > 0 && a[0] instanceof String format) {
                    Object[] rest = Arrays.copyOfRange(a, 1, a.length);
                    Object[] flat = rest.length == 1 && rest[0] instanceof Object[] varargs ? varargs : rest;
                    calls.add(method.getName() + " " + format);
                    args.add(flat);
                }
                return method.getReturnType() == boolean.class ? Boolean.TRUE : null;
            });

    @Test
    public void firstOfACauseIsWarnedRepeatsAreDebugAndCounted() {
        OnceLog log = new OnceLog(recording, "dev0");
        log.guest("queue_select", "7 names no queue");
        log.guest("queue_select", "8 names no queue");
        log.guest("queue_select", "9 names no queue");
        log.guest("ISR write", "read-only");

        assertEquals(3, log.count("queue_select"));
        assertEquals(1, log.count("ISR write"));
        assertEquals(0, log.count("never reported"));
        assertEquals(4, calls.size());
        assertTrue(calls.get(0), calls.get(0).startsWith("warn "));
        assertTrue(calls.get(1), calls.get(1).startsWith("debug "));
        assertTrue(calls.get(2), calls.get(2).startsWith("debug "));
        assertTrue(calls.get(3), calls.get(3).startsWith("warn "));
    }

    @Test
    public void hostFaultIsAnErrorWithItsCauseOncePerCause() {
        OnceLog log = new OnceLog(recording, "dev0");
        IllegalStateException boom = new IllegalStateException("boom");
        log.host("sink", "frame dropped", boom);
        log.host("sink", "frame dropped", boom);

        assertEquals(2, log.count("sink"));
        assertTrue(calls.get(0), calls.get(0).startsWith("error ") && calls.get(0).contains("host fault"));
        assertTrue(calls.get(1), calls.get(1).startsWith("debug "));
        for (Object[] a : args) {
            assertSame("the throwable is passed last, so the stack trace is logged", boom, a[a.length - 1]);
        }
    }

    @Test
    public void everyLineNamesTheDevice() {
        OnceLog log = new OnceLog(recording, "virtio-pci 1050");
        log.guest("a", "x");
        log.guest("a", "x");
        log.host("b", "y", new RuntimeException());
        for (Object[] a : args) {
            assertEquals("virtio-pci 1050", a[0]);
        }
    }
}
