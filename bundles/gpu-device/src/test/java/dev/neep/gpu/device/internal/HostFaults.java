package dev.neep.gpu.device.internal;

import dev.neep.virtio.OnceLog;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;

/**
 * Every host fault a device reports, caught where {@link OnceLog} writes it. Tests log
 * nothing (simplelogger.properties turns logging off), and a device's {@code OnceLog} is
 * private to it, so the logger inside it is replaced with one that records each call whose
 * message is a host fault, at any level (repeats of a cause are logged at DEBUG), and passes
 * every call on to the logger it replaced.
 */
final class HostFaults {
    private final List<String> faults = new ArrayList<>();

    private HostFaults() {
    }

    /** Starts recording the host faults of {@code device}. */
    static HostFaults of(GpuDevice device) {
        HostFaults recorder = new HostFaults();
        try {
            OnceLog once = (OnceLog) accessible(GpuDevice.class, "log").get(device);
            Field loggerField = accessible(OnceLog.class, "log");
            Logger original = (Logger) loggerField.get(once);
            Logger recording = (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(),
                    new Class<?>[] {Logger.class}, (proxy, method, args) -> {
                        if (args != null && args.length > 0 && args[0] instanceof String format
                                && format.contains(": host fault ")) {
                            recorder.record(format, Arrays.copyOfRange(args, 1, args.length));
                        }
                        try {
                            return method.invoke(original, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            loggerField.set(once, recording);
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new IllegalStateException("cannot reach the device's OnceLog (field renamed?)", e);
        }
        return recorder;
    }

    private static Field accessible(Class<?> owner, String name) throws NoSuchFieldException {
        Field f = owner.getDeclaredField(name);
        f.setAccessible(true);
        return f;
    }

    private synchronized void record(String format, Object[] args) {
        Object[] flat = args.length == 1 && args[0] instanceof Object[] varargs ? varargs : args;
        StringBuilder b = new StringBuilder(format);
        for (Object a : flat) {
            if (a instanceof Throwable t) {
                StringWriter trace = new StringWriter();
                t.printStackTrace(new PrintWriter(trace));
                b.append("\n").append(trace);
            } else {
                b.append(" | ").append(a);
            }
        }
        faults.add(b.toString());
    }

    /** How many host faults were reported so far. */
    synchronized int count() {
        return faults.size();
    }

    /** The faults from index {@code from} on, one per line, with stack traces. */
    synchronized String since(int from) {
        return String.join("\n", faults.subList(Math.min(from, faults.size()), faults.size()));
    }
}
