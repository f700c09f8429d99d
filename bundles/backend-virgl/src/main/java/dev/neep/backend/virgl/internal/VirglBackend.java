package dev.neep.backend.virgl.internal;

import static dev.neep.backend.virgl.internal.VirglRenderer.CALLBACKS_VERSION;
import static dev.neep.backend.virgl.internal.VirglRenderer.PIPE_TEXTURE_2D;
import static dev.neep.backend.virgl.internal.VirglRenderer.VIRGL_RENDERER_CONTEXT_FLAG_CAPSET_ID_MASK;
import static dev.neep.backend.virgl.internal.VirglRenderer.VIRGL_RENDERER_FENCE_FLAG_MERGEABLE;
import static dev.neep.backend.virgl.internal.VirglRenderer.VIRGL_RENDERER_THREAD_SYNC;
import static dev.neep.backend.virgl.internal.VirglRenderer.VIRGL_RENDERER_USE_EGL;
import static dev.neep.backend.virgl.internal.VirglRenderer.VIRGL_RENDERER_USE_GLES;
import static dev.neep.backend.virgl.internal.VirglRenderer.VIRGL_RENDERER_USE_SURFACELESS;
import static dev.neep.backend.virgl.internal.VirglRenderer.VIRGL_RESOURCE_Y_0_TOP;
import static dev.neep.backend.virgl.internal.VirglRenderer.VIRGL_RES_BIND_RENDER_TARGET;
import static dev.neep.backend.virgl.internal.VirglRenderer.VIRGL_RES_BIND_SAMPLER_VIEW;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_CONTEXT_ID;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_PARAMETER;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_OUT_OF_MEMORY;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_UNSPEC;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import dev.neep.backend.support.FenceTimelines;
import dev.neep.backend.support.Iovecs;
import dev.neep.backend.support.OfferedCapsets;
import dev.neep.backend.support.OwnerThread;
import dev.neep.backend.virgl.internal.VirglRenderer.virgl_renderer_callbacks;
import dev.neep.backend.virgl.internal.VirglRenderer.virgl_renderer_resource_create_args;
import dev.neep.gpu.api.BackendCapabilities;
import dev.neep.gpu.api.BlobMapping;
import dev.neep.gpu.api.CapsetInfo;
import dev.neep.gpu.api.Create3dArgs;
import dev.neep.gpu.api.CreateBlobArgs;
import dev.neep.gpu.api.Fence;
import dev.neep.gpu.api.FenceListener;
import dev.neep.gpu.api.Frame;
import dev.neep.gpu.api.GpuBackend;
import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.api.HeldFrame;
import dev.neep.gpu.api.Transfer;
import dev.neep.gpu.protocol.CapsetIds;
import dev.neep.gpu.protocol.Formats;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link GpuBackend} over libvirglrenderer: virgl and virgl2 contexts rendered by Mesa
 * (llvmpipe on a host without a GPU) through EGL surfaceless, 2D resources as GL textures.
 *
 * <p>Every library call runs on one {@link OwnerThread}, init and cleanup included; see there
 * for why. Fences use {@code VIRGL_RENDERER_THREAD_SYNC}: the library waits for GL syncs on its
 * own thread and reports retired fences from {@code virgl_renderer_poll}, which {@link #poll()}
 * runs on the owner thread, so the fence callbacks and all other state of this class live on
 * that one thread and need no locks. Resources, their guest backing and the pixel transfers
 * through it are kept by {@link VirglResources}; this class keeps contexts, command streams,
 * fences and the renderer's lifetime.
 *
 * <p>The library keeps one renderer per process, so at most one instance is open at a time.
 *
 * <p>Blob resources, with 3D: a host blob is memory the context's command stream made under a
 * {@code blob_id} (a buffer created with MAP_PERSISTENT | MAP_COHERENT); it maps into the
 * renderer's own heap, and the library exports no file descriptor for it, so it can be shown to
 * an in-process guest (a PCI BAR) but not handed to a vhost-user front end.
 */
public final class VirglBackend implements GpuBackend {

    private static final Logger LOG = LoggerFactory.getLogger(VirglBackend.class);

    private static final int ENOMEM = 12;
    private static final long CLEANUP_TIMEOUT_MILLIS = 10_000;

    // libvirglrenderer keeps its renderer in process-global state: a second init with other
    // callbacks fails with -EBUSY, and any instance's cleanup tears down everyone's contexts.
    private static final AtomicBoolean RENDERER_IN_USE = new AtomicBoolean();

    private final VirglRenderer lib;
    private final OwnerThread owner = new OwnerThread("neep-virgl-owner", "the virgl backend is closed");
    private final AtomicBoolean closed = new AtomicBoolean();
    private final boolean headless;

    // The library keeps the cookie and the callbacks struct (and through it the callbacks)
    // from init to cleanup: they must stay strongly reachable that long.
    private final Memory cookie = new Memory(8);
    private final virgl_renderer_callbacks callbacks = new virgl_renderer_callbacks();
    private final VirglRenderer.write_fence_callback writeFence = this::onWriteFence;
    private final VirglRenderer.write_context_fence_callback writeContextFence = this::onWriteContextFence;

    // Written on the owner thread during init, read-only afterwards; the hand-over back to the
    // opening thread publishes them.
    private List<CapsetInfo> capsets = List.of();
    private BackendCapabilities capabilities = new BackendCapabilities(false, false, false, false);
    private boolean initialized;

    // Owner-thread state.
    private final VirglResources resources;
    private final Set<Integer> contexts = new HashSet<>();
    private final FenceTimelines fences;
    private Memory commandScratch;

    private VirglBackend(VirglRenderer lib, FenceListener fences, boolean headless) {
        this.lib = lib;
        this.resources = new VirglResources(lib);
        this.fences = new FenceTimelines(fences, "libvirglrenderer");
        this.headless = headless;
    }

    /**
     * Starts the process's renderer with {@code settings}: the capsets it names (none gives 2D
     * only), headless or not.
     */
    static VirglBackend open(VirglRenderer lib, VirglSettings settings, FenceListener fences)
            throws GpuBackendException {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(fences, "fences");
        if (!RENDERER_IN_USE.compareAndSet(false, true)) {
            throw new GpuBackendException(RESP_ERR_UNSPEC,
                    "libvirglrenderer keeps one renderer per process and another virgl backend instance is open");
        }
        VirglBackend backend = new VirglBackend(lib, fences, settings.headless());
        try {
            backend.owner.call("virgl_renderer_init", () -> {
                backend.init(settings.capsets());
                return null;
            });
            return backend;
        } catch (GpuBackendException e) {
            backend.close();
            throw e;
        }
    }

    private void init(List<Integer> requested) throws GpuBackendException {
        callbacks.version = CALLBACKS_VERSION;
        callbacks.write_fence = writeFence;
        callbacks.write_context_fence = writeContextFence;
        int flags = VIRGL_RENDERER_USE_EGL | VIRGL_RENDERER_USE_SURFACELESS | VIRGL_RENDERER_THREAD_SYNC;
        int rc = lib.virgl_renderer_init(cookie, flags, callbacks);
        if (rc != 0) {
            // Desktop GL first, as QEMU does; a GLES-only Mesa build still gets a renderer.
            int rcGles = lib.virgl_renderer_init(cookie, flags | VIRGL_RENDERER_USE_GLES, callbacks);
            if (rcGles != 0) {
                throw new GpuBackendException(RESP_ERR_UNSPEC, "virgl_renderer_init returned " + rc
                        + " with EGL surfaceless desktop GL and " + rcGles + " with GLES; libvirglrenderer needs"
                        + " Mesa's EGL and DRI drivers (Debian: libegl1, libegl-mesa0, libgl1-mesa-dri, libgles2)");
            }
            flags |= VIRGL_RENDERER_USE_GLES;
        }
        initialized = true;

        List<CapsetInfo> offered = new ArrayList<>();
        for (int id : requested) {
            IntByReference maxVersion = new IntByReference();
            IntByReference maxSize = new IntByReference();
            lib.virgl_renderer_get_cap_set(id, maxVersion, maxSize);
            if (maxVersion.getValue() <= 0 || maxSize.getValue() <= 0) {
                throw new GpuBackendException(RESP_ERR_UNSPEC, "capset " + CapsetIds.name(id) + " (" + id
                        + ") was asked for but libvirglrenderer reports max version " + maxVersion.getValue()
                        + ", size " + maxSize.getValue());
            }
            offered.add(new CapsetInfo(id, maxVersion.getValue(), maxSize.getValue()));
        }
        capsets = List.copyOf(offered);
        boolean virgl3d = !capsets.isEmpty();
        inferCachingType(requested);
        capabilities = new BackendCapabilities(virgl3d, virgl3d, virgl3d, virgl3d, false);
        int pollFd = lib.virgl_renderer_get_poll_fd();
        LOG.info("libvirglrenderer ready: EGL surfaceless {}, capsets {}, fences waited for {}",
                (flags & VIRGL_RENDERER_USE_GLES) != 0 ? "GLES" : "desktop GL", capsets,
                pollFd >= 0 ? "on its sync thread" : "on poll");
    }

    /**
     * The library decides how persistent buffers are cached (the {@code map_info} of every host
     * blob) only while it fills the virgl2 capset; until then a host blob maps with no cache type
     * and {@code virgl_renderer_resource_get_map_info} refuses it. A guest reads the capset first,
     * but a host blob must not depend on it, so it is filled once here.
     */
    private void inferCachingType(List<Integer> requested) {
        if (requested.contains(CapsetIds.VIRGL2)) {
            CapsetInfo virgl2 = capsets.stream().filter(c -> c.capsetId() == CapsetIds.VIRGL2).findFirst().orElseThrow();
            try (Memory caps = new Memory(virgl2.maxSize())) {
                lib.virgl_renderer_fill_caps(CapsetIds.VIRGL2, virgl2.maxVersion(), caps);
            }
        }
    }

    @Override
    public BackendCapabilities capabilities() {
        return capabilities;
    }

    @Override
    public boolean headless() {
        return headless;
    }

    @Override
    public List<CapsetInfo> capsets() {
        return capsets;
    }

    @Override
    public byte[] capset(int capsetId, int version) throws GpuBackendException {
        CapsetInfo info = OfferedCapsets.find(capsets, capsetId);
        if (version < 0 || version > info.maxVersion()) {
            throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "capset " + capsetId + " version " + version
                    + " is above its max version " + info.maxVersion());
        }
        return owner.call("virgl_renderer_fill_caps", () -> {
            try (Memory caps = new Memory(info.maxSize())) {
                caps.clear();
                lib.virgl_renderer_fill_caps(capsetId, version, caps);
                return caps.getByteArray(0, info.maxSize());
            }
        });
    }

    @Override
    public void resourceCreate2d(int resourceId, int format, int width, int height) throws GpuBackendException {
        if (!Formats.isSupported2d(format)) {
            throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "format " + format + " is not a 2D format");
        }
        virgl_renderer_resource_create_args args = new virgl_renderer_resource_create_args();
        args.handle = resourceId;
        args.target = PIPE_TEXTURE_2D;
        args.format = virglFormat(format);
        // Render target and sampler view so a 3D context can also draw into or sample the
        // picture; Y_0_TOP because 2D data arrives top row first, as QEMU marks it.
        args.bind = VIRGL_RES_BIND_RENDER_TARGET | VIRGL_RES_BIND_SAMPLER_VIEW;
        args.width = width;
        args.height = height;
        args.depth = 1;
        args.array_size = 1;
        args.flags = VIRGL_RESOURCE_Y_0_TOP;
        createResource(args, RESP_ERR_UNSPEC);
    }

    @Override
    public void resourceCreate3d(int resourceId, Create3dArgs create) throws GpuBackendException {
        virgl_renderer_resource_create_args args = new virgl_renderer_resource_create_args();
        args.handle = resourceId;
        args.target = create.target();
        args.format = create.format();
        args.bind = create.bind();
        args.width = create.width();
        args.height = create.height();
        args.depth = create.depth();
        args.array_size = create.arraySize();
        args.last_level = create.lastLevel();
        args.nr_samples = create.nrSamples();
        args.flags = create.flags();
        // The library refuses targets, formats and sizes the GL driver cannot make: the
        // guest asked for them.
        createResource(args, RESP_ERR_INVALID_PARAMETER);
    }

    private void createResource(virgl_renderer_resource_create_args args, int refusal) throws GpuBackendException {
        owner.call("virgl_renderer_resource_create", () -> {
            resources.create(args, refusal);
            return null;
        });
    }

    @Override
    public void resourceCreateBlob(int ctxId, int resourceId, CreateBlobArgs create, List<ByteBuffer> iovecs)
            throws GpuBackendException {
        if (!capabilities.blob()) {
            throw noBlobs();
        }
        owner.call("virgl_renderer_resource_create_blob", () -> {
            resources.createBlob(ctxId, resourceId, create, iovecs);
            return null;
        });
    }

    @Override
    public void resourceUnref(int resourceId) throws GpuBackendException {
        owner.call("virgl_renderer_resource_unref", () -> {
            resources.unref(resourceId);
            return null;
        });
    }

    @Override
    public void attachBacking(int resourceId, List<ByteBuffer> iovecs) throws GpuBackendException {
        owner.call("virgl_renderer_resource_attach_iov", () -> {
            resources.attachBacking(resourceId, iovecs);
            return null;
        });
    }

    @Override
    public void detachBacking(int resourceId) throws GpuBackendException {
        owner.call("virgl_renderer_resource_detach_iov", () -> {
            resources.detachBacking(resourceId);
            return null;
        });
    }

    @Override
    public void transferWrite(int ctxId, int resourceId, Transfer transfer) throws GpuBackendException {
        owner.call("virgl_renderer_transfer_write_iov", () -> {
            resources.transferWrite(ctxId, resourceId, transfer);
            return null;
        });
    }

    @Override
    public void transferRead(int ctxId, int resourceId, Transfer transfer) throws GpuBackendException {
        owner.call("virgl_renderer_transfer_read_iov", () -> {
            resources.transferRead(ctxId, resourceId, transfer);
            return null;
        });
    }

    @Override
    public void contextCreate(int ctxId, int contextInit, String debugName) throws GpuBackendException {
        if (!capabilities.virgl3d()) {
            throw new GpuBackendException(RESP_ERR_UNSPEC, "no 3D capsets were asked for: contexts are off");
        }
        int capsetId = contextInit & VIRGL_RENDERER_CONTEXT_FLAG_CAPSET_ID_MASK;
        if ((contextInit & ~VIRGL_RENDERER_CONTEXT_FLAG_CAPSET_ID_MASK) != 0
                || (capsetId != 0 && capsets.stream().noneMatch(c -> c.capsetId() == capsetId))) {
            throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "context_init 0x" + Integer.toHexString(contextInit)
                    + " names no offered capset");
        }
        byte[] name = (debugName == null ? "" : debugName).getBytes(StandardCharsets.UTF_8);
        byte[] cName = Arrays.copyOf(name, name.length + 1);
        owner.call("virgl_renderer_context_create", () -> {
            if (contexts.contains(ctxId)) {
                throw new GpuBackendException(RESP_ERR_INVALID_CONTEXT_ID, "context " + ctxId + " exists");
            }
            int rc = capsetId == 0
                    ? lib.virgl_renderer_context_create(ctxId, name.length, cName)
                    : lib.virgl_renderer_context_create_with_flags(ctxId, contextInit, name.length, cName);
            if (rc != 0) {
                throw failure("virgl_renderer_context_create(" + ctxId + ", capset " + capsetId + ")", rc, RESP_ERR_UNSPEC);
            }
            contexts.add(ctxId);
            return null;
        });
    }

    @Override
    public void contextDestroy(int ctxId) throws GpuBackendException {
        owner.call("virgl_renderer_context_destroy", () -> {
            context(ctxId);
            lib.virgl_renderer_context_destroy(ctxId);
            contexts.remove(ctxId);
            fences.dropContext(ctxId);
            return null;
        });
    }

    @Override
    public void contextAttachResource(int ctxId, int resourceId) throws GpuBackendException {
        owner.call("virgl_renderer_ctx_attach_resource", () -> {
            context(ctxId);
            resources.check(resourceId);
            lib.virgl_renderer_ctx_attach_resource(ctxId, resourceId);
            return null;
        });
    }

    @Override
    public void contextDetachResource(int ctxId, int resourceId) throws GpuBackendException {
        owner.call("virgl_renderer_ctx_detach_resource", () -> {
            context(ctxId);
            resources.check(resourceId);
            lib.virgl_renderer_ctx_detach_resource(ctxId, resourceId);
            return null;
        });
    }

    /**
     * {@code inFenceIds} are not passed on: libvirglrenderer 0.10.4 has no submit call that takes
     * them (QEMU ignores them for virgl too), and one virgl context executes its stream in order.
     */
    @Override
    public void submitCommand(int ctxId, ByteBuffer commands, long[] inFenceIds) throws GpuBackendException {
        int length = commands.remaining();
        if (length % Integer.BYTES != 0) {
            throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER,
                    "a virgl command stream is whole dwords; got " + length + " bytes");
        }
        owner.call("virgl_renderer_submit_cmd", () -> {
            context(ctxId);
            if (length == 0) {
                return null;
            }
            // A private copy: the guest can change its buffer while the library parses it.
            commandScratch = Iovecs.atLeast(commandScratch, length);
            commandScratch.getByteBuffer(0, length).put(commands.duplicate());
            int rc = lib.virgl_renderer_submit_cmd(commandScratch, ctxId, length / Integer.BYTES);
            if (rc != 0) {
                throw failure("virgl_renderer_submit_cmd(ctx " + ctxId + ", " + length + " bytes)", rc,
                        RESP_ERR_INVALID_PARAMETER);
            }
            return null;
        });
    }

    /**
     * A fence with INFO_RING_IDX goes on its context's ring ({@code virgl_renderer_context_create_fence},
     * reported through {@code write_context_fence}); any other on the device-global timeline
     * ({@code virgl_renderer_create_fence}, a 32-bit id reported through {@code write_fence}).
     * Both are mergeable: the library may report only the newest of several retired fences,
     * and every older one on that timeline is then done too.
     */
    @Override
    public void createFence(Fence fence) throws GpuBackendException {
        owner.call("create fence", () -> {
            if (fence.onRing()) {
                context(fence.ctxId());
                long timeline = FenceTimelines.ring(fence.ctxId(), fence.ringIdx());
                fences.add(timeline, fence);
                int rc = lib.virgl_renderer_context_create_fence(fence.ctxId(), VIRGL_RENDERER_FENCE_FLAG_MERGEABLE,
                        fence.ringIdx(), fence.fenceId());
                if (rc != 0) {
                    fences.remove(timeline, fence);
                    throw failure("virgl_renderer_context_create_fence(" + fence + ")", rc, RESP_ERR_INVALID_PARAMETER);
                }
            } else {
                fences.add(FenceTimelines.GLOBAL, fence);
                int rc = lib.virgl_renderer_create_fence((int) fence.fenceId(), fence.ctxId());
                if (rc != 0) {
                    fences.remove(FenceTimelines.GLOBAL, fence);
                    throw failure("virgl_renderer_create_fence(" + fence + ")", rc, RESP_ERR_UNSPEC);
                }
            }
            return null;
        });
    }

    @Override
    public BlobMapping mapBlob(int resourceId) throws GpuBackendException {
        return owner.call("virgl_renderer_resource_map", () -> resources.map(resourceId));
    }

    @Override
    public void unmapBlob(int resourceId) throws GpuBackendException {
        owner.call("virgl_renderer_resource_unmap", () -> {
            resources.unmap(resourceId);
            return null;
        });
    }

    /** See {@link VirglResources#frame}. */
    @Override
    public Frame frame(int resourceId) throws GpuBackendException {
        return owner.call("frame", () -> resources.frame(resourceId));
    }

    /** See {@link VirglResources#hold}. */
    @Override
    public HeldFrame hold(int resourceId) throws GpuBackendException {
        return owner.call("frame", () -> resources.hold(resourceId));
    }

    @Override
    public Frame blobFrame(int resourceId, int format, int width, int height, int stride, long offset)
            throws GpuBackendException {
        throw new GpuBackendException(RESP_ERR_UNSPEC, "the virgl backend shows no blob as a scanout");
    }

    @Override
    public void poll() {
        try {
            owner.call("virgl_renderer_poll", () -> {
                lib.virgl_renderer_poll();
                return null;
            });
        } catch (GpuBackendException e) {
            // After close there is nothing left to retire; anything else is a host fault.
            if (!closed.get()) {
                LOG.error("virgl_renderer_poll failed", e);
            }
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (owner.stop(this::cleanup, CLEANUP_TIMEOUT_MILLIS)) {
            RENDERER_IN_USE.set(false);
        } else {
            LOG.error("virgl_renderer_cleanup did not finish within {} ms; libvirglrenderer stays taken in this process",
                    CLEANUP_TIMEOUT_MILLIS);
        }
    }

    // Runs on the owner thread, last.
    private void cleanup() {
        if (initialized) {
            try {
                lib.virgl_renderer_cleanup(cookie);
            } catch (RuntimeException | LinkageError e) {
                LOG.error("virgl_renderer_cleanup failed", e);
            }
        }
        fences.clear();
        resources.freeAfterCleanup();
        contexts.clear();
        if (commandScratch != null) {
            commandScratch.close();
        }
    }

    // write_fence: called by virgl_renderer_poll on the owner thread. Nothing may escape into
    // the native frame.
    private void onWriteFence(Pointer cookie, int fenceId) {
        fences.retireThrough(FenceTimelines.GLOBAL, f -> (int) f.fenceId() == fenceId,
                "fence " + Integer.toUnsignedString(fenceId));
    }

    private void onWriteContextFence(Pointer cookie, int ctxId, int ringIdx, long fenceId) {
        fences.retireThrough(FenceTimelines.ring(ctxId, ringIdx), f -> f.fenceId() == fenceId,
                "fence " + Long.toUnsignedString(fenceId) + " of context " + ctxId + " ring " + ringIdx);
    }

    private void context(int ctxId) throws GpuBackendException {
        if (!contexts.contains(ctxId)) {
            throw new GpuBackendException(RESP_ERR_INVALID_CONTEXT_ID, "no context " + ctxId);
        }
    }

    /**
     * virtio-gpu's eight 2D formats carry the numbers of the gallium/virgl formats with the
     * same name (B8G8R8A8_UNORM = 1 ... R8G8B8X8_UNORM = 134); QEMU hands them over unchanged.
     */
    static int virglFormat(int virtioFormat) {
        return virtioFormat;
    }

    /** {@code response} unless the library ran out of memory, which is the host's fault whoever asked. */
    static GpuBackendException failure(String call, int rc, int response) {
        int type = Math.abs(rc) == ENOMEM ? RESP_ERR_OUT_OF_MEMORY : response;
        return new GpuBackendException(type, call + " returned " + rc);
    }

    private static GpuBackendException noBlobs() {
        return new GpuBackendException(RESP_ERR_UNSPEC,
                "the virgl backend offers blob resources only with 3D (a capset configured)");
    }
}
