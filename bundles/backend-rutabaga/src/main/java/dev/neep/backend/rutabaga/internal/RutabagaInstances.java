package dev.neep.backend.rutabaga.internal;

import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_UNSPEC;

import com.sun.jna.ptr.LongByReference;
import dev.neep.gpu.api.GpuBackendException;
import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.management.InstanceAlreadyExistsException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The native rutabaga instances of this process, and which backend gets which.
 *
 * <p>librutabaga_gfx_ffi builds gfxstream and virglrenderer at most once per process
 * ({@link RutabagaInstance#ONCE_PER_PROCESS}): gfxstream keeps its renderer in process-wide
 * state, and a second {@code rutabaga_init} with a gfxstream capset fails ("Failed to initialize
 * renderer") or crashes; rutabaga refuses a second virglrenderer outright. QEMU never tries: it
 * builds one instance for the device's life. Here:
 *
 * <ul>
 *   <li>an instance with such a capset is never finished: when its backend closes, it is kept
 *       and handed to the next backend opened with the same library and the same capsets and
 *       Wayland socket (the {@code wsi} setting is the backend's own, so it may differ);</li>
 *   <li>the first such instance claims the process, in the platform MBean server as
 *       {@value #CLAIM_NAME} (atomic across class loaders, so also across a refresh of this
 *       bundle, and holding the instance and its JNA callbacks for the JVM's life). Any other
 *       settings that need one of these renderers are refused with a message that says to
 *       restart neep, never passed to the library;</li>
 *   <li>an instance with cross-domain alone, or no capsets (the 2D component), is finished when
 *       its backend closes, and built again when one opens: the library can do that.</li>
 * </ul>
 */
public final class RutabagaInstances {

    static final String CLAIM_NAME = "dev.neep.backend.rutabaga:type=RendererClaim";

    /** What the process's claim shows through JMX. */
    public interface RendererClaimMBean {
        /** The settings the claiming instance was built with. */
        String getSettings();

        /** "in use" or "kept for the next backend with the same settings". */
        String getState();
    }

    private static final Logger LOG = LoggerFactory.getLogger(RutabagaInstances.class);

    /** Instances built with the same library and these settings can serve each other's backends. */
    private record Key(RutabagaGfxFfi lib, Set<String> capsetNames, Optional<String> waylandSocket) {
    }

    /** The claim object registered in the MBean server: it keeps the claiming instance reachable. */
    private static final class Claim implements RendererClaimMBean {
        final String settings;
        volatile RutabagaInstance instance;
        volatile String state = "being built";

        Claim(String settings) {
            this.settings = settings;
        }

        @Override
        public String getSettings() {
            return settings;
        }

        @Override
        public String getState() {
            return state;
        }
    }

    // Guarded by the class lock.
    private static final Map<Key, RutabagaInstance> KEPT = new HashMap<>();
    private static final Map<RutabagaInstance, Key> IN_USE = new IdentityHashMap<>();
    private static Claim claim;
    /** Without JMX, the claim can only be kept in this class loader. */
    private static String claimedWithoutJmx;

    private RutabagaInstances() {
    }

    /**
     * An instance for {@code settings}: the one kept for them, else a new one.
     *
     * @throws GpuBackendException when the library fails, or the settings need a renderer this
     *         process built already for other settings (the message says to restart neep)
     */
    static RutabagaInstance take(RutabagaGfxFfi lib, RutabagaSettings settings) throws GpuBackendException {
        return take(lib, settings, RutabagaInstance.INIT_TIMEOUT_MILLIS);
    }

    /** {@link #take(RutabagaGfxFfi, RutabagaSettings)}, waiting at most {@code initTimeoutMillis} for an init. */
    static synchronized RutabagaInstance take(RutabagaGfxFfi lib, RutabagaSettings settings, long initTimeoutMillis)
            throws GpuBackendException {
        Key key = new Key(lib, Set.copyOf(settings.capsetNames().keySet()), settings.waylandSocket());
        RutabagaInstance kept = KEPT.remove(key);
        if (kept != null) {
            LOG.info("rutabaga backend: using again the instance this process built for {} (capsets {}); the library"
                    + " cannot build it twice", settings, kept.describeCapsets());
            inUse(kept, key);
            return kept;
        }
        long mask = mask(lib, settings);
        Claim claimed = null;
        if ((mask & RutabagaInstance.ONCE_PER_PROCESS) != 0) {
            String held = heldClaim();
            if (held != null) {
                throw new GpuBackendException(RESP_ERR_UNSPEC, RutabagaBackendConfig.PID + ": " + settings + " need"
                        + " gfxstream or virglrenderer, which librutabaga_gfx_ffi builds only once per process, and"
                        + " this process asked for it already, for " + held + "; restart neep to use the new settings"
                        + (held.contains("(failed to build") ? "" : " (or set the earlier ones back to use that"
                                + " instance again)"));
            }
            // Claimed before the library is asked: a failed first init may leave the renderer's
            // process-wide state half built, and nothing may try again in this process.
            claimed = claim(settings.toString());
        }
        RutabagaInstance started;
        try {
            started = RutabagaInstance.start(lib, mask, settings.waylandSocket(), initTimeoutMillis);
        } catch (GpuBackendException e) {
            if (claimed != null) {
                claimed.state = "failed to build: " + e.getMessage();
            }
            throw e;
        }
        if (claimed != null) {
            claimed.instance = started;
        }
        LOG.info("rutabaga backend: instance built for {}; capset mask 0x{}; capsets {}", settings,
                Long.toHexString(mask), started.describeCapsets());
        inUse(started, key);
        return started;
    }

    /**
     * The backend using {@code instance} closed, having released what it made: the instance is
     * finished, or kept for the next backend with its settings when the library cannot build it
     * again.
     */
    static synchronized void giveBack(RutabagaInstance instance) {
        Key key = IN_USE.remove(instance);
        instance.unuse();
        if (instance.rebuildable() || key == null) {
            instance.finish();
            return;
        }
        KEPT.put(key, instance);
        if (claim != null && claim.instance == instance) {
            claim.state = "kept for the next backend with the same settings";
        }
        LOG.info("rutabaga backend closed; its instance (capsets {}) is kept for the next backend with the same"
                + " settings: the library cannot build it twice in one process", instance.describeCapsets());
    }

    private static void inUse(RutabagaInstance instance, Key key) {
        IN_USE.put(instance, key);
        if (claim != null && claim.instance == instance) {
            claim.state = "in use";
        }
    }

    /** The capset mask of the configured names, each resolved by the library. */
    private static long mask(RutabagaGfxFfi lib, RutabagaSettings settings) throws GpuBackendException {
        long mask = 0;
        for (Map.Entry<String, String> name : settings.capsetNames().entrySet()) {
            LongByReference bits = new LongByReference();
            int rc = lib.rutabaga_calculate_capset_mask(name.getKey(), bits);
            if (rc != 0) {
                throw new GpuBackendException(RESP_ERR_UNSPEC, "rutabaga_calculate_capset_mask(\"" + name.getKey()
                        + "\") returned " + rc);
            }
            if (bits.getValue() == 0) {
                // The library skips names it does not know; QEMU would start without the capset.
                throw new GpuBackendException(RESP_ERR_UNSPEC, RutabagaBackendConfig.PID + ": " + name.getValue()
                        + " names capset '" + name.getKey() + "', which this librutabaga_gfx_ffi does not know");
            }
            mask |= bits.getValue();
        }
        return mask;
    }

    /** What holds the process's claim ("settings, state"), or null when nothing does. */
    private static String heldClaim() {
        if (claimedWithoutJmx != null) {
            return claimedWithoutJmx;
        }
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName name = new ObjectName(CLAIM_NAME);
            if (!server.isRegistered(name)) {
                return null;
            }
            return server.getAttribute(name, "Settings") + " (" + server.getAttribute(name, "State") + ")";
        } catch (JMException | RuntimeException e) {
            return null;
        }
    }

    private static Claim claim(String settings) {
        Claim c = new Claim(settings);
        try {
            ManagementFactory.getPlatformMBeanServer().registerMBean(new StandardMBean(c, RendererClaimMBean.class),
                    new ObjectName(CLAIM_NAME));
        } catch (InstanceAlreadyExistsException e) {
            // Checked under the lock just before; only another class loader of this bundle gets here.
            LOG.warn("rutabaga backend: {} is already registered by another copy of this bundle", CLAIM_NAME);
        } catch (JMException | RuntimeException | LinkageError e) {
            claimedWithoutJmx = settings;
            LOG.debug("no platform MBean server to record the rutabaga renderer claim ({}); it is held by this"
                    + " bundle's class loader", e.toString());
        }
        claim = c;
        return c;
    }
}
