package dev.neep.backend.rutabaga.internal;

import static dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.RUTABAGA_MAP_CACHE_MASK;
import static dev.neep.backend.rutabaga.internal.TwoDTransfers.BYTES_PER_PIXEL;
import static dev.neep.backend.rutabaga.internal.TwoDTransfers.toNative;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_CONTEXT_ID;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_PARAMETER;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_RESOURCE_ID;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_OUT_OF_MEMORY;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_UNSPEC;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.rutabaga;
import dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.rutabaga_command;
import dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.rutabaga_create_3d;
import dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.rutabaga_create_blob;
import dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.rutabaga_iovecs;
import dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.rutabaga_mapping;
import dev.neep.backend.support.Iovecs;
import dev.neep.backend.support.OfferedCapsets;
import dev.neep.backend.support.OwnerThread.NativeCall;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link GpuBackend} over librutabaga_gfx_ffi (0.1.2 and later), the library behind QEMU's
 * {@code virtio-gpu-rutabaga}: gfxstream, cross-domain and virglrenderer contexts, and with no
 * capsets rutabaga's own 2D component. Commands go to the library almost one to one, as in QEMU.
 *
 * <p>The native instance is a {@link RutabagaInstance}, taken from {@link RutabagaInstances} at
 * open and given back at close, which finishes it or keeps it for the next backend with the
 * same settings (gfxstream and virglrenderer cannot be built twice in one process). So close
 * first releases everything this backend made in it, in the order the library needs: each
 * context's resources detached, the context destroyed, then every resource unmapped and
 * unreferenced.
 *
 * <p>Every library call, and all the state of this class, lives on the instance's owner thread,
 * so it needs no locks. Fences: {@link RutabagaFences}.
 *
 * <p>Known library behaviours this class works around (the bundle README lists what was measured):
 * <ul>
 *   <li>2D transfers, checked completely first ({@link TwoDTransfers});</li>
 *   <li>2D {@code transfer_read} needs a destination iovec and uses {@code transfer.stride};</li>
 *   <li>{@code rutabaga_get_capset} copies exactly the size it is given, unchecked;</li>
 *   <li>{@code ring_idx} in a reported fence is a byte.</li>
 * </ul>
 */
public final class RutabagaBackend implements GpuBackend {

    private static final Logger LOG = LoggerFactory.getLogger(RutabagaBackend.class);

    // QEMU creates 2D resources as these (gallium's PIPE_TEXTURE_2D, PIPE_BIND_RENDER_TARGET).
    private static final int PIPE_TEXTURE_2D = 2;
    private static final int PIPE_BIND_RENDER_TARGET = 1 << 1;
    private static final int RESOURCE_FLAG_Y_0_TOP = 1;

    private final RutabagaInstance instance;
    private final RutabagaGfxFfi lib;
    private final boolean headless;
    private final AtomicBoolean closed = new AtomicBoolean();

    // Owner-thread state.
    private final Map<Integer, RutabagaResource> resources = new HashMap<>();
    /** Live contexts and the resources attached to each, to detach them before the context goes. */
    private final Map<Integer, Set<Integer>> contexts = new LinkedHashMap<>();
    /** The cross-domain contexts among them, whose streams {@link CrossDomainStreams} checks. */
    private final Set<Integer> crossDomainContexts = new HashSet<>();
    private final RutabagaFences fences;
    private final RutabagaFrames frames;

    private RutabagaBackend(RutabagaInstance instance, FenceListener listener, boolean headless, long firstFenceId) {
        this.instance = instance;
        this.lib = instance.lib;
        this.headless = headless;
        this.fences = new RutabagaFences(instance, listener, firstFenceId);
        this.frames = new RutabagaFrames(instance);
    }

    /** A backend with {@code settings}, on the instance kept for them or a new one. */
    static RutabagaBackend open(RutabagaGfxFfi lib, RutabagaSettings settings, FenceListener fences)
            throws GpuBackendException {
        Objects.requireNonNull(lib, "lib");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(fences, "fences");
        RutabagaInstance instance = RutabagaInstances.take(lib, settings);
        try {
            long first = instance.call("open", instance::firstUnusedFenceId);
            RutabagaBackend backend = new RutabagaBackend(instance, fences, settings.headless(), first);
            instance.use(backend);
            return backend;
        } catch (GpuBackendException e) {
            RutabagaInstances.giveBack(instance);
            throw e;
        }
    }

    @Override
    public BackendCapabilities capabilities() {
        return instance.capabilities();
    }

    @Override
    public boolean headless() {
        return headless;
    }

    @Override
    public List<CapsetInfo> capsets() {
        return instance.capsets();
    }

    @Override
    public byte[] capset(int capsetId, int version) throws GpuBackendException {
        int size = OfferedCapsets.find(capsets(), capsetId).maxSize();
        if (size < 0) {
            throw new GpuBackendException(RESP_ERR_UNSPEC, "capset " + capsetId + " reports size "
                    + Integer.toUnsignedString(size));
        }
        return call("rutabaga_get_capset", () -> {
            // Exactly the size get_capset_info reported: the library copies that many bytes.
            try (Memory data = new Memory(Math.max(1, size))) {
                instance.check("rutabaga_get_capset(" + capsetId + ", version " + version + ")",
                        lib.rutabaga_get_capset(ptr(), capsetId, version, data, size), RESP_ERR_INVALID_PARAMETER);
                return data.getByteArray(0, size);
            }
        });
    }

    /** As QEMU: a 2D texture, render target, one level, y-0-top, handed to the library as 3D. */
    @Override
    public void resourceCreate2d(int resourceId, int format, int width, int height) throws GpuBackendException {
        if (!Formats.isSupported2d(format)) {
            throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "format " + Formats.name(format)
                    + " is not a 2D format");
        }
        if (width <= 0 || height <= 0 || (long) width * height * BYTES_PER_PIXEL > Integer.MAX_VALUE) {
            throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "resource " + resourceId + " of "
                    + Integer.toUnsignedString(width) + "x" + Integer.toUnsignedString(height)
                    + " is empty or larger than one host buffer");
        }
        resourceCreate3d(resourceId, new Create3dArgs(PIPE_TEXTURE_2D, format, PIPE_BIND_RENDER_TARGET, width, height,
                1, 1, 0, 0, RESOURCE_FLAG_Y_0_TOP));
    }

    @Override
    public void resourceCreate3d(int resourceId, Create3dArgs c) throws GpuBackendException {
        call("rutabaga_resource_create_3d", () -> {
            requireNew(resourceId);
            rutabaga_create_3d args = new rutabaga_create_3d();
            args.target = c.target();
            args.format = c.format();
            args.bind = c.bind();
            args.width = c.width();
            args.height = c.height();
            args.depth = c.depth();
            args.array_size = c.arraySize();
            args.last_level = c.lastLevel();
            args.nr_samples = c.nrSamples();
            args.flags = c.flags();
            instance.check("rutabaga_resource_create_3d(" + resourceId + ", " + c + ")",
                    lib.rutabaga_resource_create_3d(ptr(), resourceId, args), RESP_ERR_INVALID_PARAMETER);
            resources.put(resourceId, new RutabagaResource(resourceId, false, c.format(), c.width(), c.height()));
            return null;
        });
    }

    @Override
    public void resourceCreateBlob(int ctxId, int resourceId, CreateBlobArgs create, List<ByteBuffer> iovecs)
            throws GpuBackendException {
        if (!capabilities().blob()) {
            throw new GpuBackendException(RESP_ERR_UNSPEC, "blob resources need a capset; this rutabaga instance"
                    + " runs the 2D component (no capsets configured)");
        }
        List<ByteBuffer> backing = List.copyOf(iovecs);
        call("rutabaga_resource_create_blob", () -> {
            requireNew(resourceId);
            if (ctxId != 0) {
                context(ctxId);
            }
            rutabaga_create_blob args = new rutabaga_create_blob();
            args.blob_mem = create.blobMem();
            args.blob_flags = create.blobFlags();
            args.blob_id = create.blobId();
            args.size = create.size();
            instance.check("rutabaga_resource_create_blob(ctx " + ctxId + ", " + resourceId + ", " + create + ", "
                    + backing.size() + " iovecs)", lib.rutabaga_resource_create_blob(ptr(), ctxId, resourceId, args,
                            iovecs("blob " + resourceId, backing), null), RESP_ERR_INVALID_PARAMETER);
            RutabagaResource resource = new RutabagaResource(resourceId, true, 0, 0, 0);
            resource.blobFlags = create.blobFlags();
            resource.backing = backing.isEmpty() ? null : backing;
            resources.put(resourceId, resource);
            return null;
        });
    }

    @Override
    public void resourceUnref(int resourceId) throws GpuBackendException {
        call("rutabaga_resource_unref", () -> {
            unref(resource(resourceId));
            return null;
        });
    }

    /** Detaches it from every context first (see the class comment), unmaps it, unreferences it. */
    private void unref(RutabagaResource resource) throws GpuBackendException {
        for (Map.Entry<Integer, Set<Integer>> context : contexts.entrySet()) {
            if (context.getValue().contains(resource.id)) {
                detach(context.getKey(), resource.id);
            }
        }
        if (resource.mapping != null) {
            // The guest dropped a blob it still had mapped; the mapping goes with it.
            instance.check("rutabaga_resource_unmap(" + resource.id + ") before unref",
                    lib.rutabaga_resource_unmap(ptr(), resource.id), RESP_ERR_UNSPEC);
            resource.mapping = null;
            RutabagaBlobExport.close(resource);
        }
        instance.check("rutabaga_resource_unref(" + resource.id + ")", lib.rutabaga_resource_unref(ptr(), resource.id),
                RESP_ERR_INVALID_RESOURCE_ID);
        resources.remove(resource.id);
    }

    @Override
    public void attachBacking(int resourceId, List<ByteBuffer> iovecs) throws GpuBackendException {
        List<ByteBuffer> backing = List.copyOf(iovecs);
        call("rutabaga_resource_attach_backing", () -> {
            RutabagaResource resource = resource(resourceId);
            if (resource.backing != null) {
                throw new GpuBackendException(RESP_ERR_UNSPEC, "resource " + resourceId + " already has backing");
            }
            instance.check("rutabaga_resource_attach_backing(" + resourceId + ", " + backing.size() + " iovecs)",
                    lib.rutabaga_resource_attach_backing(ptr(), resourceId, iovecs("resource " + resourceId, backing)),
                    RESP_ERR_UNSPEC);
            resource.backing = backing;
            return null;
        });
    }

    @Override
    public void detachBacking(int resourceId) throws GpuBackendException {
        call("rutabaga_resource_detach_backing", () -> {
            RutabagaResource resource = resource(resourceId);
            if (resource.backing == null) {
                throw new GpuBackendException(RESP_ERR_UNSPEC, "resource " + resourceId + " has no backing to detach");
            }
            instance.check("rutabaga_resource_detach_backing(" + resourceId + ")",
                    lib.rutabaga_resource_detach_backing(ptr(), resourceId), RESP_ERR_UNSPEC);
            resource.backing = null;
            return null;
        });
    }

    /** With capsets, handed to the library as given; on the 2D component, see {@link TwoDTransfers}. */
    @Override
    public void transferWrite(int ctxId, int resourceId, Transfer transfer) throws GpuBackendException {
        call("rutabaga_resource_transfer_write", () -> {
            RutabagaResource resource = resource(resourceId);
            Transfer sent = transfer;
            if (instance.twoD()) {
                sent = TwoDTransfers.write(resource, transfer);
                if (sent == null) {
                    return null;
                }
            }
            instance.check("rutabaga_resource_transfer_write(ctx " + ctxId + ", " + resourceId + ", " + transfer + ")",
                    lib.rutabaga_resource_transfer_write(ptr(), ctxId, resourceId, toNative(sent)),
                    RESP_ERR_INVALID_PARAMETER);
            return null;
        });
    }

    /**
     * Into the attached backing, as QEMU does (NULL destination). The 2D component has no such
     * path (it needs a destination and ignores the backing): with no capsets there is no 3D,
     * so this is refused there.
     */
    @Override
    public void transferRead(int ctxId, int resourceId, Transfer transfer) throws GpuBackendException {
        call("rutabaga_resource_transfer_read", () -> {
            resource(resourceId);
            if (instance.twoD()) {
                throw new GpuBackendException(RESP_ERR_UNSPEC, "TRANSFER_FROM_HOST_3D needs a 3D capset; this rutabaga"
                        + " instance runs the 2D component (no capsets configured)");
            }
            instance.check("rutabaga_resource_transfer_read(ctx " + ctxId + ", " + resourceId + ", " + transfer + ")",
                    lib.rutabaga_resource_transfer_read(ptr(), ctxId, resourceId, toNative(transfer), null),
                    RESP_ERR_INVALID_PARAMETER);
            return null;
        });
    }

    @Override
    public void contextCreate(int ctxId, int contextInit, String debugName) throws GpuBackendException {
        if (!capabilities().contextInit()) {
            throw new GpuBackendException(RESP_ERR_UNSPEC, "contexts need a capset; this rutabaga instance runs the"
                    + " 2D component (no capsets configured)");
        }
        int capsetId = contextInit & CapsetIds.CONTEXT_INIT_CAPSET_ID_MASK;
        if (capsetId != 0 && capsets().stream().noneMatch(c -> c.capsetId() == capsetId)) {
            throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "context_init 0x"
                    + Integer.toHexString(contextInit) + " asks for capset " + CapsetIds.name(capsetId)
                    + ", which is not offered");
        }
        byte[] name = (debugName == null ? "" : debugName).getBytes(StandardCharsets.UTF_8);
        call("rutabaga_context_create", () -> {
            if (contexts.containsKey(ctxId)) {
                throw new GpuBackendException(RESP_ERR_INVALID_CONTEXT_ID, "context " + ctxId + " exists");
            }
            try (Memory nameMemory = new Memory(Math.max(1, name.length))) {
                nameMemory.write(0, name, 0, name.length);
                instance.check("rutabaga_context_create(" + ctxId + ", context_init 0x"
                        + Integer.toHexString(contextInit) + ")",
                        lib.rutabaga_context_create(ptr(), ctxId, contextInit, nameMemory, name.length), RESP_ERR_UNSPEC);
            }
            contexts.put(ctxId, new LinkedHashSet<>());
            // capset 0 is the library's default component: cross-domain when it is the only capset.
            if (capsetId == CapsetIds.CROSS_DOMAIN || capsetId == 0 && instance.mask == 1L << CapsetIds.CROSS_DOMAIN) {
                crossDomainContexts.add(ctxId);
            }
            return null;
        });
    }

    @Override
    public void contextDestroy(int ctxId) throws GpuBackendException {
        call("rutabaga_context_destroy", () -> {
            context(ctxId);
            destroy(ctxId);
            return null;
        });
    }

    /** Detaches what is still attached (see the class comment), then destroys the context. */
    private void destroy(int ctxId) throws GpuBackendException {
        for (int resourceId : List.copyOf(contexts.get(ctxId))) {
            detach(ctxId, resourceId);
        }
        instance.check("rutabaga_context_destroy(" + ctxId + ")", lib.rutabaga_context_destroy(ptr(), ctxId),
                RESP_ERR_INVALID_CONTEXT_ID);
        contexts.remove(ctxId);
        crossDomainContexts.remove(ctxId);
        // Fences the library never signalled (a cross-domain channel ring before its INIT, for
        // one) died with the context.
        fences.dropContext(ctxId);
    }

    @Override
    public void contextAttachResource(int ctxId, int resourceId) throws GpuBackendException {
        call("rutabaga_context_attach_resource", () -> {
            context(ctxId);
            resource(resourceId);
            instance.check("rutabaga_context_attach_resource(" + ctxId + ", " + resourceId + ")",
                    lib.rutabaga_context_attach_resource(ptr(), ctxId, resourceId), RESP_ERR_UNSPEC);
            contexts.get(ctxId).add(resourceId);
            return null;
        });
    }

    @Override
    public void contextDetachResource(int ctxId, int resourceId) throws GpuBackendException {
        call("rutabaga_context_detach_resource", () -> {
            context(ctxId);
            resource(resourceId);
            detach(ctxId, resourceId);
            return null;
        });
    }

    private void detach(int ctxId, int resourceId) throws GpuBackendException {
        instance.check("rutabaga_context_detach_resource(" + ctxId + ", " + resourceId + ")",
                lib.rutabaga_context_detach_resource(ptr(), ctxId, resourceId), RESP_ERR_UNSPEC);
        contexts.get(ctxId).remove(resourceId);
    }

    /**
     * The stream is copied (the guest may change its buffer while the library parses it) and
     * the in-fences passed in {@code rutabaga_command}'s trailing fields. Both pointers are
     * non-NULL even when empty: the library turns them into slices.
     */
    @Override
    public void submitCommand(int ctxId, ByteBuffer commands, long[] inFenceIds) throws GpuBackendException {
        int length = commands.remaining();
        long[] inFences = inFenceIds == null ? new long[0] : inFenceIds.clone();
        call("rutabaga_submit_command", () -> {
            context(ctxId);
            try (Memory stream = new Memory(Math.max(1, length));
                    Memory fenceIds = new Memory((long) Math.max(1, inFences.length) * Long.BYTES)) {
                stream.getByteBuffer(0, length).put(commands.duplicate());
                if (crossDomainContexts.contains(ctxId)) {
                    // The copy, which the guest can no longer change.
                    CrossDomainStreams.check(stream.getByteBuffer(0, length),
                            id -> resources.containsKey(id) ? resources.get(id).backing : null);
                }
                fenceIds.write(0, inFences, 0, inFences.length);
                rutabaga_command command = new rutabaga_command();
                command.ctx_id = ctxId;
                command.cmd_size = length;
                command.cmd = stream;
                command.num_in_fences = inFences.length;
                command.fence_ids = fenceIds;
                instance.check("rutabaga_submit_command(ctx " + ctxId + ", " + length + " bytes, " + inFences.length
                        + " in-fences)", lib.rutabaga_submit_command(ptr(), command), RESP_ERR_INVALID_PARAMETER);
            }
            return null;
        });
    }

    /** See {@link RutabagaFences}. */
    @Override
    public void createFence(Fence fence) throws GpuBackendException {
        call("rutabaga_create_fence", () -> {
            if (fence.onRing()) {
                context(fence.ctxId());
            }
            fences.create(fence);
            return null;
        });
    }

    /**
     * {@code map_info} first, then the mapping, as QEMU; only the cache bits go to the guest. A
     * shareable blob also gets its file descriptor ({@link RutabagaBlobExport}).
     */
    @Override
    public BlobMapping mapBlob(int resourceId) throws GpuBackendException {
        return call("rutabaga_resource_map", () -> {
            RutabagaResource resource = resource(resourceId);
            if (!resource.blob) {
                throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "resource " + resourceId + " is not a blob");
            }
            if (resource.mapping != null) {
                throw new GpuBackendException(RESP_ERR_UNSPEC, "blob " + resourceId + " is already mapped");
            }
            IntByReference mapInfo = new IntByReference();
            instance.check("rutabaga_resource_map_info(" + resourceId + ")",
                    lib.rutabaga_resource_map_info(ptr(), resourceId, mapInfo), RESP_ERR_UNSPEC);
            rutabaga_mapping mapping = new rutabaga_mapping();
            instance.check("rutabaga_resource_map(" + resourceId + ")",
                    lib.rutabaga_resource_map(ptr(), resourceId, mapping), RESP_ERR_UNSPEC);
            if (mapping.ptr == null || mapping.size < 0 || mapping.size > Integer.MAX_VALUE) {
                lib.rutabaga_resource_unmap(ptr(), resourceId);
                throw new GpuBackendException(RESP_ERR_OUT_OF_MEMORY, "blob " + resourceId + " maps "
                        + Long.toUnsignedString(mapping.size) + " bytes at " + mapping.ptr
                        + "; one mapping can be at most 2 GiB");
            }
            resource.mapping = mapping.ptr.getByteBuffer(0, mapping.size);
            try {
                resource.exported = RutabagaBlobExport.export(lib, ptr(), resource);
            } catch (GpuBackendException e) {
                resource.mapping = null;
                lib.rutabaga_resource_unmap(ptr(), resourceId);
                throw e;
            }
            return new BlobMapping(resource.mapping, Pointer.nativeValue(mapping.ptr),
                    mapInfo.getValue() & RUTABAGA_MAP_CACHE_MASK, resource.exported);
        });
    }

    @Override
    public void unmapBlob(int resourceId) throws GpuBackendException {
        call("rutabaga_resource_unmap", () -> {
            RutabagaResource resource = resource(resourceId);
            if (resource.mapping == null) {
                throw new GpuBackendException(RESP_ERR_UNSPEC, "resource " + resourceId + " is not mapped");
            }
            instance.check("rutabaga_resource_unmap(" + resourceId + ")",
                    lib.rutabaga_resource_unmap(ptr(), resourceId), RESP_ERR_UNSPEC);
            resource.mapping = null;
            RutabagaBlobExport.close(resource);
            return null;
        });
    }

    @Override
    public Frame frame(int resourceId) throws GpuBackendException {
        return call("rutabaga_resource_transfer_read", () -> frames.frame(resource(resourceId)));
    }

    @Override
    public HeldFrame hold(int resourceId) throws GpuBackendException {
        return call("rutabaga_resource_transfer_read", () -> frames.hold(resource(resourceId)));
    }

    @Override
    public Frame blobFrame(int resourceId, int format, int width, int height, int stride, long offset)
            throws GpuBackendException {
        return call("blob frame", () -> frames.blobFrame(resource(resourceId), format, width, height, stride, offset));
    }

    /**
     * Releases what this backend made in the instance (contexts after detaching their resources,
     * then resources), then gives the instance back to {@link RutabagaInstances}. A release the
     * library refuses is logged; the instance is given back either way.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            instance.call("release at close", () -> {
                release();
                return null;
            });
        } catch (GpuBackendException e) {
            LOG.error("rutabaga backend: releasing its contexts and resources at close failed: {}", e.getMessage(), e);
        }
        RutabagaInstances.giveBack(instance);
    }

    // Owner thread.
    private void release() throws GpuBackendException {
        for (int ctxId : List.copyOf(contexts.keySet())) {
            destroy(ctxId);
        }
        for (RutabagaResource resource : List.copyOf(resources.values())) {
            unref(resource);
        }
        fences.clear();
    }

    /** A fence the library completed; owner thread, called by the instance this backend uses. */
    void retire(Fence done) {
        fences.retire(done);
    }

    /** A library call on the owner thread, refused once this backend is closed. */
    private <T> T call(String what, NativeCall<T> call) throws GpuBackendException {
        return instance.call(what, () -> {
            if (closed.get()) {
                throw new GpuBackendException(RESP_ERR_UNSPEC, what + ": the rutabaga backend is closed");
            }
            return call.call();
        });
    }

    private rutabaga ptr() {
        return instance.pointer();
    }

    private RutabagaResource resource(int resourceId) throws GpuBackendException {
        RutabagaResource resource = resources.get(resourceId);
        if (resource == null) {
            throw new GpuBackendException(RESP_ERR_INVALID_RESOURCE_ID, "no resource " + resourceId);
        }
        return resource;
    }

    private void requireNew(int resourceId) throws GpuBackendException {
        if (resourceId == 0 || resources.containsKey(resourceId)) {
            throw new GpuBackendException(RESP_ERR_INVALID_RESOURCE_ID, "resource id " + resourceId
                    + (resourceId == 0 ? " is reserved" : " is in use"));
        }
    }

    private void context(int ctxId) throws GpuBackendException {
        if (!contexts.containsKey(ctxId)) {
            throw new GpuBackendException(RESP_ERR_INVALID_CONTEXT_ID, "no context " + ctxId);
        }
    }

    /**
     * A {@code struct rutabaga_iovecs} over guest buffers, which the library keeps until detach
     * or unref: direct buffers only.
     */
    private static rutabaga_iovecs iovecs(String what, List<ByteBuffer> buffers) throws GpuBackendException {
        Iovecs array = Iovecs.direct(what, "librutabaga_gfx_ffi", buffers);
        rutabaga_iovecs iovecs = new rutabaga_iovecs();
        iovecs.iovecs = array.array();
        iovecs.num_iovecs = array.count();
        return iovecs;
    }
}
