package dev.neep.backend.rutabaga.internal;

import static dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.RUTABAGA_CHANNEL_TYPE_WAYLAND;
import static dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.RUTABAGA_FLAG_INFO_RING_IDX;
import static dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.RUTABAGA_WSI_SURFACELESS;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_OUT_OF_MEMORY;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_UNSPEC;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.rutabaga;
import dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.rutabaga_builder;
import dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.rutabaga_channel;
import dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.rutabaga_channels;
import dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.rutabaga_fence;
import dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.rutabaga_fence_callback;
import dev.neep.backend.support.OwnerThread;
import dev.neep.backend.support.OwnerThread.NativeCall;
import dev.neep.gpu.api.BackendCapabilities;
import dev.neep.gpu.api.CapsetInfo;
import dev.neep.gpu.api.Fence;
import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.protocol.CapsetIds;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One native rutabaga instance: what {@code rutabaga_init} built, the {@link OwnerThread} every
 * call on it runs on ({@code rutabaga_init} and {@code rutabaga_finish} included: the library
 * wants all calls from the thread that created the instance), and the routing of the library's
 * fence callback to the {@link RutabagaBackend} that uses the instance now.
 *
 * <p>An instance outlives the backends that use it when its library cannot build it twice in
 * one process ({@link #rebuildable()} is false): {@link RutabagaInstances} then keeps it for the
 * next backend opened with the same settings instead of finishing it.
 *
 * <p>Fence completions arrive on whatever thread finished them (inside
 * {@code rutabaga_create_fence} for the 2D component, on worker threads for gfxstream and
 * cross-domain); the callback only copies the fence and bounces it to the owner thread.
 */
final class RutabagaInstance {

    private static final Logger LOG = LoggerFactory.getLogger(RutabagaInstance.class);

    /**
     * The capsets whose components librutabaga_gfx_ffi builds at most once per process: gfxstream
     * (gfxstream-vulkan, -magma, -gles, -composer: its renderer is a process-wide singleton, and a
     * second init fails or crashes) and virglrenderer (virgl, virgl2, venus, drm: rutabaga refuses
     * a second init). Only cross-domain, and no capset at all (the 2D component), can be built again.
     */
    static final long ONCE_PER_PROCESS = ~(1L << CapsetIds.CROSS_DOMAIN);

    private static final int EINVAL = 22;
    private static final int ENOMEM = 12;
    /** What the library returns when it caught a panic (ESRCH). */
    private static final int PANIC = -3;
    private static final long FINISH_TIMEOUT_MILLIS = 10_000;
    /**
     * How long an open waits for {@code rutabaga_init}. gfxstream waits for ever when its
     * renderer fails to start (its FrameBuffer is never signalled initialised): measured with
     * gfxstream-gles on Mesa's surfaceless EGL, which has no GLES 2 config for it.
     */
    static final long INIT_TIMEOUT_MILLIS = 60_000;
    /** 0.1.2's builder is 48 bytes; later versions append optional fields, read as zero from here. */
    private static final int BUILDER_BLOCK = 256;

    private static final AtomicLong NEXT_ID = new AtomicLong(1);
    /** Live instances by the {@code user_data} the library hands back to the fence callback. */
    private static final Map<Long, RutabagaInstance> LIVE = new ConcurrentHashMap<>();
    /**
     * One fence callback for all instances, found again through {@code user_data}: held for the
     * life of this class, so a completion that races a finish finds no instance rather than a
     * freed callback.
     */
    private static final rutabaga_fence_callback FENCE_CALLBACK = RutabagaInstance::onFence;

    final RutabagaGfxFfi lib;
    final long mask;
    final Optional<String> waylandSocket;
    private final long id = NEXT_ID.getAndIncrement();
    private final OwnerThread owner = new OwnerThread("neep-rutabaga-owner-" + id, "the rutabaga backend is closed");

    // Written on the owner thread during init, read-only afterwards; the hand-over back to the
    // opening thread publishes them.
    private volatile List<CapsetInfo> capsets = List.of();
    private volatile BackendCapabilities capabilities = new BackendCapabilities(false, false, false, false);
    private rutabaga pointer;
    private volatile boolean initReturned;

    // Owner-thread state.
    /** The backend using the instance now; null while it waits for the next one. */
    private volatile RutabagaBackend user;
    private long lastFenceId;
    private boolean panicLogged;

    private RutabagaInstance(RutabagaGfxFfi lib, long mask, Optional<String> waylandSocket) {
        this.lib = lib;
        this.mask = mask;
        this.waylandSocket = waylandSocket;
    }

    /**
     * Builds an instance for capset mask {@code mask} (and the cross-domain channel, if any),
     * waiting at most {@code initTimeoutMillis} for the library. An init that does not return is
     * left on its owner thread, which is lost with it.
     */
    static RutabagaInstance start(RutabagaGfxFfi lib, long mask, Optional<String> waylandSocket,
            long initTimeoutMillis) throws GpuBackendException {
        RutabagaInstance instance = new RutabagaInstance(lib, mask, waylandSocket);
        try {
            instance.call("rutabaga_init", initTimeoutMillis, () -> {
                try {
                    instance.init();
                } finally {
                    instance.initReturned = true;
                }
                return null;
            });
        } catch (GpuBackendException e) {
            if (!instance.initReturned) {
                throw new GpuBackendException(RESP_ERR_UNSPEC, e.getMessage() + ". gfxstream does this when its"
                        + " renderer fails to start (the library's messages above say why; gfxstream-gles and"
                        + " gfxstream-composer without gfxstream-vulkan need a GLES 2 EGL config, which Mesa's"
                        + " surfaceless EGL does not have): restart neep with other capsets", e);
            }
            instance.finish();
            throw e;
        }
        return instance;
    }

    private void init() throws GpuBackendException {
        // The builder holds only raw pointers to the channel's native memory, which the JVM may
        // free once nothing in Java refers to it: keepAlive holds it until the call returns (the
        // library copies the path). Without it, rutabaga_init read a freed path and crashed.
        List<Object> keepAlive = new ArrayList<>();
        Memory builderBlock = new Memory(BUILDER_BLOCK);
        builderBlock.clear();
        rutabaga_builder builder = new rutabaga_builder(builderBlock);
        builder.user_data = id;
        builder.capset_mask = mask;
        builder.wsi = RUTABAGA_WSI_SURFACELESS;
        builder.fence_cb = FENCE_CALLBACK;
        if (waylandSocket.isPresent()) {
            byte[] path = waylandSocket.get().getBytes(StandardCharsets.UTF_8);
            Memory name = new Memory(path.length + 1L);
            name.write(0, path, 0, path.length);
            name.setByte(path.length, (byte) 0);
            rutabaga_channel channel = new rutabaga_channel();
            channel.channel_name = name;
            channel.channel_type = RUTABAGA_CHANNEL_TYPE_WAYLAND;
            channel.write();
            rutabaga_channels channels = new rutabaga_channels();
            channels.channels = channel.getPointer();
            channels.num_channels = 1;
            channels.write();
            builder.channels = channels.getPointer();
            keepAlive.addAll(List.of(name, channel, channels));
        }
        LIVE.put(id, this);
        builder.debug_cb = DebugRelay.claim();
        PointerByReference created = new PointerByReference();
        int rc = lib.rutabaga_init(builder, created);
        Reference.reachabilityFence(keepAlive);
        if (rc != 0) {
            throw failure("rutabaga_init(capset mask 0x" + Long.toHexString(mask)
                    + waylandSocket.map(s -> ", wayland socket " + s).orElse("") + ")", rc, RESP_ERR_UNSPEC);
        }
        pointer = new rutabaga(created.getValue());

        IntByReference count = new IntByReference();
        check("rutabaga_get_num_capsets", lib.rutabaga_get_num_capsets(pointer, count), RESP_ERR_UNSPEC);
        List<CapsetInfo> offered = new ArrayList<>();
        for (int index = 0; index < count.getValue(); index++) {
            IntByReference capsetId = new IntByReference();
            IntByReference version = new IntByReference();
            IntByReference size = new IntByReference();
            check("rutabaga_get_capset_info(" + index + ")",
                    lib.rutabaga_get_capset_info(pointer, index, capsetId, version, size), RESP_ERR_UNSPEC);
            offered.add(new CapsetInfo(capsetId.getValue(), version.getValue(), size.getValue()));
        }
        capsets = List.copyOf(offered);
        // As QEMU: with capsets the device offers 3D (VIRGL), blobs and context init.
        boolean threeD = !offered.isEmpty();
        // Host blobs come with a file descriptor (RutabagaBlobExport), so they also travel to a front end.
        capabilities = new BackendCapabilities(threeD, threeD, threeD, threeD, threeD);
    }

    /** The native handle; owner thread only. */
    rutabaga pointer() {
        return pointer;
    }

    List<CapsetInfo> capsets() {
        return capsets;
    }

    BackendCapabilities capabilities() {
        return capabilities;
    }

    /** No capsets: rutabaga's own 2D component serves the resources. */
    boolean twoD() {
        return mask == 0;
    }

    /** Whether the library can build this instance again in this process after finishing it. */
    boolean rebuildable() {
        return (mask & ONCE_PER_PROCESS) == 0;
    }

    /** The capsets, as the log shows them. */
    String describeCapsets() {
        if (capsets.isEmpty()) {
            return "none (2D component)";
        }
        List<String> parts = new ArrayList<>();
        for (CapsetInfo c : capsets) {
            parts.add(CapsetIds.name(c.capsetId()) + " (" + c.capsetId() + ", version " + c.maxVersion() + ", "
                    + c.maxSize() + " bytes)");
        }
        return String.join(", ", parts);
    }

    /** {@code backend} gets the fences and the library's messages from now on. */
    void use(RutabagaBackend backend) {
        user = backend;
        DebugRelay.routeTo(owner);
    }

    /** The backend using the instance is gone; nothing gets its late fences. */
    void unuse() {
        user = null;
        DebugRelay.unroute(owner);
    }

    /**
     * The id the library gets for the next fence: one increasing sequence for the instance's
     * life, so a fence of an earlier backend that the library reports late is told apart from
     * the fences of the one using it now. Owner thread only.
     */
    long nextFenceId() {
        return ++lastFenceId;
    }

    /** The id {@link #nextFenceId} gives next. Owner thread only. */
    long firstUnusedFenceId() {
        return lastFenceId + 1;
    }

    /** Finishes the instance ({@code rutabaga_finish}) and stops its owner thread. */
    void finish() {
        unuse();
        if (!owner.stop(this::finishOnOwner, FINISH_TIMEOUT_MILLIS)) {
            LOG.error("rutabaga_finish did not return within {} ms; the instance and its owner thread are left behind",
                    FINISH_TIMEOUT_MILLIS);
        }
        LIVE.remove(id);
    }

    // Runs on the owner thread, last.
    private void finishOnOwner() {
        if (pointer != null) {
            try {
                int rc = lib.rutabaga_finish(new PointerByReference(pointer.getPointer()));
                if (rc != 0) {
                    LOG.error("rutabaga_finish returned {}{}", rc, rc == PANIC ? " (a panic inside the library)" : "");
                }
            } catch (RuntimeException | LinkageError e) {
                LOG.error("rutabaga_finish failed", e);
            }
            pointer = null;
        }
    }

    /**
     * Runs a library call on the owner thread; the library's debug messages during it are kept
     * for the exception when it fails.
     */
    <T> T call(String what, NativeCall<T> call) throws GpuBackendException {
        return call(what, Long.MAX_VALUE, call);
    }

    /** As {@link #call(String, NativeCall)}, waiting at most {@code timeoutMillis}; see {@link OwnerThread}. */
    <T> T call(String what, long timeoutMillis, NativeCall<T> call) throws GpuBackendException {
        return owner.call(what, timeoutMillis, () -> {
            DebugRelay.beginCapture();
            try {
                return call.call();
            } finally {
                DebugRelay.endCapture();
            }
        });
    }

    void check(String call, int rc, int response) throws GpuBackendException {
        if (rc != 0) {
            throw failure(call, rc, response);
        }
    }

    /**
     * A library error as the guest's answer: -ENOMEM is RESP_ERR_OUT_OF_MEMORY, a caught panic
     * (-3) RESP_ERR_UNSPEC and a host fault logged once, anything else {@code response}. The
     * library's own words, if it sent any during the call, are part of the message.
     */
    GpuBackendException failure(String call, int rc, int response) {
        String said = DebugRelay.takeCaptured();
        String detail = said.isEmpty() ? "" : ": " + said;
        if (rc == PANIC) {
            String message = call + " panicked inside librutabaga_gfx_ffi (returned -3)" + detail;
            if (!panicLogged) {
                panicLogged = true;
                LOG.error("{}; later panics are only answered to the guest", message);
            }
            return new GpuBackendException(RESP_ERR_UNSPEC, message);
        }
        int type = rc == -ENOMEM ? RESP_ERR_OUT_OF_MEMORY : response;
        String errno = rc == -EINVAL ? " (-EINVAL)" : "";
        return new GpuBackendException(type, call + " returned " + rc + errno + detail);
    }

    // The library's fence callback, on any thread: copy, bounce to the owner, return at once.
    // Nothing may be thrown back into the library.
    private static void onFence(long userData, Pointer fencePointer) {
        try {
            rutabaga_fence reported = new rutabaga_fence(fencePointer);
            boolean onRing = (reported.flags & RUTABAGA_FLAG_INFO_RING_IDX) != 0;
            Fence done = new Fence(reported.flags, reported.fence_id, reported.ctx_id, onRing ? reported.ringIdx() : 0);
            RutabagaInstance instance = LIVE.get(userData);
            if (instance == null || !instance.owner.post(() -> instance.retire(done))) {
                LOG.debug("fence {} completed after its rutabaga instance {} finished", done, userData);
            }
        } catch (Throwable t) {
            try {
                LOG.error("rutabaga fence callback failed", t);
            } catch (Throwable ignored) {
                // nothing left to report with
            }
        }
    }

    // Owner thread.
    private void retire(Fence done) {
        RutabagaBackend backend = user;
        if (owner.isStopped() || backend == null) {
            LOG.debug("fence {} completed with no backend using rutabaga instance {}", done, id);
            return;
        }
        backend.retire(done);
    }
}
