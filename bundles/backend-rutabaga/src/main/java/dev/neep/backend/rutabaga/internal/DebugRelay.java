package dev.neep.backend.rutabaga.internal;

import com.sun.jna.Pointer;
import dev.neep.backend.support.OwnerThread;
import dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.rutabaga_debug;
import dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.rutabaga_debug_callback;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import javax.management.InstanceAlreadyExistsException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one debug callback of the process. librutabaga_gfx_ffi installs the {@code debug_cb} of
 * the first {@code rutabaga_init} that has one in a process-wide cell, for good: a second init
 * with a non-null {@code debug_cb} panics (returns -3), and every later instance reports to the
 * first callback with the first instance's {@code user_data}. So the callback must outlive every
 * instance, and even this bundle's class loader (a refreshed bundle would otherwise leave the
 * library calling freed JNA trampoline code).
 *
 * <p>It is therefore anchored in the platform MBean server, as
 * {@value #OBJECT_NAME}: registering it there is atomic across class loaders (the first init
 * claims it, every later one passes NULL), keeps it strongly reachable until the JVM exits, and
 * shows how many messages the library sent. A refreshed bundle finds the old one registered and
 * passes NULL too; the library's messages then keep going to the old copy's logger.
 *
 * <p>Messages are copied at once (the library frees them when the callback returns). One that
 * arrives on an owner thread during a backend call is kept for that call: a failing call puts
 * the library's words into its {@link dev.neep.gpu.api.GpuBackendException}, a succeeding one
 * logs them. One from a library thread (gfxstream, cross-domain workers) is bounced to the owner
 * thread of an open backend and logged there, so the library's thread never waits on logging.
 */
public final class DebugRelay implements rutabaga_debug_callback {

    static final String OBJECT_NAME = "dev.neep.backend.rutabaga:type=DebugCallback";

    /** What the registered relay shows through JMX. */
    public interface DebugCallbackMBean {
        long getErrors();

        long getWarnings();

        long getInfos();

        String getLastMessage();
    }

    private record Message(int type, String text) {
        @Override
        public String toString() {
            return text;
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(DebugRelay.class);
    private static final ThreadLocal<List<Message>> CAPTURE = new ThreadLocal<>();
    private static final AtomicReference<OwnerThread> ROUTE = new AtomicReference<>();
    private static final Object CLAIM_LOCK = new Object();
    private static boolean claimedWithoutJmx;
    private static final AtomicReference<DebugRelay> KEPT_WITHOUT_JMX = new AtomicReference<>();

    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong warnings = new AtomicLong();
    private final AtomicLong infos = new AtomicLong();
    private volatile String lastMessage = "";

    private DebugRelay() {
    }

    /**
     * The callback to put in the next {@code rutabaga_builder}: the process's relay when no init
     * has installed one yet, else {@code null}. Call it right before {@code rutabaga_init}, which
     * installs the callback before anything else it does, whether it then succeeds or not.
     */
    static rutabaga_debug_callback claim() {
        synchronized (CLAIM_LOCK) {
            DebugRelay relay = new DebugRelay();
            try {
                MBeanServer server = ManagementFactory.getPlatformMBeanServer();
                server.registerMBean(new StandardMBean(relay.view(), DebugCallbackMBean.class),
                        new ObjectName(OBJECT_NAME));
                return relay;
            } catch (InstanceAlreadyExistsException e) {
                return null;
            } catch (JMException | RuntimeException | LinkageError e) {
                // Without JMX the relay can only live as long as this class loader; still claim
                // it at most once, so no init panics on a second debug_cb.
                if (claimedWithoutJmx) {
                    return null;
                }
                claimedWithoutJmx = true;
                LOG.debug("no platform MBean server to anchor the rutabaga debug callback ({}); it is held by"
                        + " this bundle's class loader", e.toString());
                KEPT_WITHOUT_JMX.set(relay);
                return relay;
            }
        }
    }

    /** Library messages from other threads are logged on {@code owner} from now on. */
    static void routeTo(OwnerThread owner) {
        ROUTE.set(owner);
    }

    /** {@code owner} is stopping: stop routing to it (if it is still the route). */
    static void unroute(OwnerThread owner) {
        ROUTE.compareAndSet(owner, null);
    }

    /** Keep library messages on this thread for the caller until {@link #endCapture()}. */
    static void beginCapture() {
        CAPTURE.set(new ArrayList<>());
    }

    /** The messages captured on this thread so far, joined, cleared; "" when none. */
    static String takeCaptured() {
        List<Message> captured = CAPTURE.get();
        if (captured == null || captured.isEmpty()) {
            return "";
        }
        String joined = captured.stream().map(Message::text).collect(Collectors.joining("; "));
        captured.clear();
        return joined;
    }

    /** Stops capturing on this thread and logs what nobody took. */
    static void endCapture() {
        List<Message> captured = CAPTURE.get();
        CAPTURE.remove();
        if (captured != null) {
            captured.forEach(DebugRelay::log);
        }
    }

    // Called by the library on any thread; nothing may be thrown back into it.
    @Override
    public void invoke(long userData, Pointer debug) {
        try {
            rutabaga_debug d = new rutabaga_debug(debug);
            Message message = new Message(d.debug_type,
                    d.message == null ? "(no message)" : d.message.getString(0, StandardCharsets.UTF_8.name()));
            count(message);
            List<Message> captured = CAPTURE.get();
            if (captured != null) {
                captured.add(message);
                return;
            }
            OwnerThread owner = ROUTE.get();
            if (owner == null || !owner.post(() -> log(message))) {
                log(message);
            }
        } catch (Throwable t) {
            // Unwinding into the library is undefined behaviour; say so and drop the message.
            try {
                LOG.error("rutabaga debug callback failed", t);
            } catch (Throwable ignored) {
                // nothing left to report with
            }
        }
    }

    private void count(Message message) {
        lastMessage = message.text();
        switch (message.type()) {
            case RutabagaGfxFfi.RUTABAGA_DEBUG_ERROR -> errors.incrementAndGet();
            case RutabagaGfxFfi.RUTABAGA_DEBUG_WARN -> warnings.incrementAndGet();
            default -> infos.incrementAndGet();
        }
    }

    private static void log(Message message) {
        switch (message.type()) {
            case RutabagaGfxFfi.RUTABAGA_DEBUG_ERROR -> LOG.error("librutabaga_gfx_ffi: {}", message.text());
            case RutabagaGfxFfi.RUTABAGA_DEBUG_WARN -> LOG.warn("librutabaga_gfx_ffi: {}", message.text());
            default -> LOG.info("librutabaga_gfx_ffi: {}", message.text());
        }
    }

    private DebugCallbackMBean view() {
        return new DebugCallbackMBean() {
            @Override
            public long getErrors() {
                return errors.get();
            }

            @Override
            public long getWarnings() {
                return warnings.get();
            }

            @Override
            public long getInfos() {
                return infos.get();
            }

            @Override
            public String getLastMessage() {
                return lastMessage;
            }
        };
    }
}
