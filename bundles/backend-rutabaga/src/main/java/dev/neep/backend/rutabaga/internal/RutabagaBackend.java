package dev.neep.backend.rutabaga.internal;

import static dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.RUTABAGA_CHANNEL_TYPE_WAYLAND;
import static dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.RUTABAGA_FLAG_INFO_RING_IDX;
import static dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.RUTABAGA_MAP_CACHE_MASK;
import static dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.RUTABAGA_WSI_SURFACELESS;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_CONTEXT_ID;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_PARAMETER;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_RESOURCE_ID;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_OUT_OF_MEMORY;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_UNSPEC;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.rutabaga;
import dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.rutabaga_builder;
import dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.rutabaga_channel;
import dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.rutabaga_channels;
import dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.rutabaga_command;
import dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.rutabaga_create_3d;
import dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.rutabaga_create_blob;
import dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.rutabaga_fence;
import dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.rutabaga_fence_callback;
import dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.rutabaga_iovecs;
import dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.rutabaga_mapping;
import dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.rutabaga_transfer;
import dev.neep.backend.support.FenceTimelines;
import dev.neep.backend.support.Iovecs;
import dev.neep.backend.support.OfferedCapsets;
import dev.neep.backend.support.OwnerThread;
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
import dev.neep.gpu.api.Transfer;
import dev.neep.gpu.protocol.CapsetIds;
import dev.neep.gpu.protocol.Formats;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link GpuBackend} over librutabaga_gfx_ffi (0.1.2 and later), the library behind QEMU's
 * {@code virtio-gpu-rutabaga}: gfxstream, cross-domain and virglrenderer contexts, and with no
 * capsets rutabaga's own 2D component. Commands go to the library almost one to one, as in QEMU.
 *
 * <p>Every library call runs on this instance's {@link OwnerThread}, {@code rutabaga_init}
 * included. Fence completions arrive on whatever thread finished them (inside
 * {@code rutabaga_create_fence} for the 2D component, on worker threads for gfxstream and
 * cross-domain); the callback only copies the fence and bounces it to the owner thread, where
 * all the state of this class lives, so it needs no locks. The debug callback is the process's
 * one {@link DebugRelay}.
 *
 * <p>Known library behaviours this class works around (the bundle README lists what was measured):
 * <ul>
 *   <li>a failed 2D transfer in 0.1.2 leaves the resource failing every later transfer, so 2D
 *       transfers are validated completely here and the library is called only when they
 *       cannot fail;</li>
 *   <li>2D {@code transfer_read} needs a destination iovec and uses {@code transfer.stride};
 *       {@code transfer_write} ignores the stride and places the box at
 *       {@code offset + y * width * 4 + x * 4} of the backing;</li>
 *   <li>{@code rutabaga_get_capset} copies exactly the size it is given, unchecked;</li>
 *   <li>{@code ring_idx} in a reported fence is a byte.</li>
 * </ul>
 */
public final class RutabagaBackend implements GpuBackend {

    private static final Logger LOG = LoggerFactory.getLogger(RutabagaBackend.class);

    private static final int EINVAL = 22;
    private static final int ENOMEM = 12;
    /** What the library returns when it caught a panic (ESRCH). */
    private static final int PANIC = -3;
    private static final int BYTES_PER_PIXEL = 4;
    private static final long CLOSE_TIMEOUT_MILLIS = 10_000;
    /** 0.1.2's builder is 48 bytes; later versions append optional fields, read as zero from here. */
    private static final int BUILDER_BLOCK = 256;
    // QEMU creates 2D resources as these (gallium's PIPE_TEXTURE_2D, PIPE_BIND_RENDER_TARGET).
    private static final int PIPE_TEXTURE_2D = 2;
    private static final int PIPE_BIND_RENDER_TARGET = 1 << 1;
    private static final int RESOURCE_FLAG_Y_0_TOP = 1;

    private static final AtomicLong NEXT_ID = new AtomicLong(1);
    /** Open instances by the {@code user_data} the library hands back to the fence callback. */
    private static final Map<Long, RutabagaBackend> LIVE = new ConcurrentHashMap<>();
    /**
     * One fence callback for all instances, found again through {@code user_data}: held for the
     * life of this class, so a completion that races an instance's close finds no instance
     * rather than a freed callback.
     */
    private static final rutabaga_fence_callback FENCE_CALLBACK = RutabagaBackend::onFence;

    private final RutabagaGfxFfi lib;
    private final long id = NEXT_ID.getAndIncrement();
    private final OwnerThread owner = new OwnerThread("neep-rutabaga-owner-" + id, "the rutabaga backend is closed");
    private final AtomicBoolean closed = new AtomicBoolean();
    private final boolean headless;

    // Written on the owner thread during init, read-only afterwards; the hand-over back to the
    // opening thread publishes them.
    private volatile List<CapsetInfo> capsets = List.of();
    private volatile BackendCapabilities capabilities = new BackendCapabilities(false, false, false, false);
    private volatile boolean twoD;
    private rutabaga instance;

    // Owner-thread state.
    private final Map<Integer, Resource> resources = new HashMap<>();
    private final Set<Integer> contexts = new HashSet<>();
    private final FenceTimelines fences;
    private Memory frameScratch;
    private ByteBuffer blobScratch;
    private boolean panicLogged;

    private RutabagaBackend(RutabagaGfxFfi lib, FenceListener fences, boolean headless) {
        this.lib = lib;
        this.fences = new FenceTimelines(fences, "librutabaga_gfx_ffi");
        this.headless = headless;
    }

    /** Starts a rutabaga instance with {@code settings}. */
    static RutabagaBackend open(RutabagaGfxFfi lib, RutabagaSettings settings, FenceListener fences)
            throws GpuBackendException {
        Objects.requireNonNull(lib, "lib");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(fences, "fences");
        RutabagaBackend backend = new RutabagaBackend(lib, fences, settings.headless());
        try {
            backend.onOwner("rutabaga_init", () -> {
                backend.init(settings);
                return null;
            });
        } catch (GpuBackendException e) {
            backend.close();
            throw e;
        }
        DebugRelay.routeTo(backend.owner);
        return backend;
    }

    private void init(RutabagaSettings settings) throws GpuBackendException {
        long mask = 0;
        for (Map.Entry<String, String> name : settings.capsetNames().entrySet()) {
            LongByReference bits = new LongByReference();
            int rc = lib.rutabaga_calculate_capset_mask(name.getKey(), bits);
            if (rc != 0) {
                throw failure("rutabaga_calculate_capset_mask(\"" + name.getKey() + "\")", rc, RESP_ERR_UNSPEC);
            }
            if (bits.getValue() == 0) {
                // The library skips names it does not know; QEMU would start without the capset.
                throw new GpuBackendException(RESP_ERR_UNSPEC, RutabagaBackendConfig.PID + ": " + name.getValue()
                        + " names capset '" + name.getKey() + "', which this librutabaga_gfx_ffi does not know");
            }
            mask |= bits.getValue();
        }
        Optional<String> socket = settings.waylandSocket();

        // The channel strings and structs are reachable from the builder's fields until the
        // call returns; the library copies the path.
        Memory builderBlock = new Memory(BUILDER_BLOCK);
        builderBlock.clear();
        rutabaga_builder builder = new rutabaga_builder(builderBlock);
        builder.user_data = id;
        builder.capset_mask = mask;
        builder.wsi = RUTABAGA_WSI_SURFACELESS;
        builder.fence_cb = FENCE_CALLBACK;
        if (socket.isPresent()) {
            byte[] path = socket.get().getBytes(StandardCharsets.UTF_8);
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
        }
        LIVE.put(id, this);
        builder.debug_cb = DebugRelay.claim();
        PointerByReference created = new PointerByReference();
        int rc = lib.rutabaga_init(builder, created);
        if (rc != 0) {
            throw failure("rutabaga_init(capset mask 0x" + Long.toHexString(mask)
                    + socket.map(s -> ", wayland socket " + s).orElse("") + ")", rc, RESP_ERR_UNSPEC);
        }
        instance = new rutabaga(created.getValue());

        IntByReference count = new IntByReference();
        check("rutabaga_get_num_capsets", lib.rutabaga_get_num_capsets(instance, count), RESP_ERR_UNSPEC);
        List<CapsetInfo> offered = new ArrayList<>();
        for (int index = 0; index < count.getValue(); index++) {
            IntByReference capsetId = new IntByReference();
            IntByReference version = new IntByReference();
            IntByReference size = new IntByReference();
            check("rutabaga_get_capset_info(" + index + ")",
                    lib.rutabaga_get_capset_info(instance, index, capsetId, version, size), RESP_ERR_UNSPEC);
            offered.add(new CapsetInfo(capsetId.getValue(), version.getValue(), size.getValue()));
        }
        capsets = List.copyOf(offered);
        twoD = mask == 0;
        // As QEMU: with capsets the device offers 3D (VIRGL), blobs and context init.
        boolean threeD = !offered.isEmpty();
        capabilities = new BackendCapabilities(threeD, threeD, threeD, threeD);
        LOG.info("rutabaga backend opened: {}; capset mask 0x{}; capsets {}{}", settings, Long.toHexString(mask),
                offered.isEmpty() ? "none (2D component)" : describe(offered),
                socket.map(s -> "; cross-domain wayland socket " + s).orElse(""));
    }

    private static String describe(List<CapsetInfo> offered) {
        List<String> parts = new ArrayList<>();
        for (CapsetInfo c : offered) {
            parts.add(CapsetIds.name(c.capsetId()) + " (" + c.capsetId() + ", version " + c.maxVersion() + ", "
                    + c.maxSize() + " bytes)");
        }
        return String.join(", ", parts);
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
        int size = info.maxSize();
        if (size < 0) {
            throw new GpuBackendException(RESP_ERR_UNSPEC, "capset " + capsetId + " reports size "
                    + Integer.toUnsignedString(size));
        }
        return onOwner("rutabaga_get_capset", () -> {
            // Exactly the size get_capset_info reported: the library copies that many bytes.
            try (Memory data = new Memory(Math.max(1, size))) {
                check("rutabaga_get_capset(" + capsetId + ", version " + version + ")",
                        lib.rutabaga_get_capset(instance, capsetId, version, data, size), RESP_ERR_INVALID_PARAMETER);
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
        Create3dArgs create = new Create3dArgs(PIPE_TEXTURE_2D, format, PIPE_BIND_RENDER_TARGET, width, height,
                1, 1, 0, 0, RESOURCE_FLAG_Y_0_TOP);
        onOwner("rutabaga_resource_create_3d", () -> {
            create3d(resourceId, create);
            return null;
        });
    }

    @Override
    public void resourceCreate3d(int resourceId, Create3dArgs create) throws GpuBackendException {
        onOwner("rutabaga_resource_create_3d", () -> {
            create3d(resourceId, create);
            return null;
        });
    }

    private void create3d(int resourceId, Create3dArgs c) throws GpuBackendException {
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
        check("rutabaga_resource_create_3d(" + resourceId + ", " + c + ")",
                lib.rutabaga_resource_create_3d(instance, resourceId, args), RESP_ERR_INVALID_PARAMETER);
        resources.put(resourceId, new Resource(resourceId, false, c.format(), c.width(), c.height()));
    }

    @Override
    public void resourceCreateBlob(int ctxId, int resourceId, CreateBlobArgs create, List<ByteBuffer> iovecs)
            throws GpuBackendException {
        if (!capabilities.blob()) {
            throw new GpuBackendException(RESP_ERR_UNSPEC, "blob resources need a capset; this rutabaga instance"
                    + " runs the 2D component (no capsets configured)");
        }
        List<ByteBuffer> backing = List.copyOf(iovecs);
        onOwner("rutabaga_resource_create_blob", () -> {
            requireNew(resourceId);
            if (ctxId != 0) {
                context(ctxId);
            }
            rutabaga_create_blob args = new rutabaga_create_blob();
            args.blob_mem = create.blobMem();
            args.blob_flags = create.blobFlags();
            args.blob_id = create.blobId();
            args.size = create.size();
            check("rutabaga_resource_create_blob(ctx " + ctxId + ", " + resourceId + ", " + create + ", "
                    + backing.size() + " iovecs)", lib.rutabaga_resource_create_blob(instance, ctxId, resourceId, args,
                            iovecs("blob " + resourceId, backing), null), RESP_ERR_INVALID_PARAMETER);
            Resource resource = new Resource(resourceId, true, 0, 0, 0);
            resource.backing = backing.isEmpty() ? null : backing;
            resources.put(resourceId, resource);
            return null;
        });
    }

    @Override
    public void resourceUnref(int resourceId) throws GpuBackendException {
        onOwner("rutabaga_resource_unref", () -> {
            Resource resource = resource(resourceId);
            if (resource.mapping != null) {
                // The guest dropped a blob it still had mapped; the mapping goes with it.
                check("rutabaga_resource_unmap(" + resourceId + ") before unref",
                        lib.rutabaga_resource_unmap(instance, resourceId), RESP_ERR_UNSPEC);
                resource.mapping = null;
            }
            check("rutabaga_resource_unref(" + resourceId + ")", lib.rutabaga_resource_unref(instance, resourceId),
                    RESP_ERR_INVALID_RESOURCE_ID);
            resources.remove(resourceId);
            return null;
        });
    }

    @Override
    public void attachBacking(int resourceId, List<ByteBuffer> iovecs) throws GpuBackendException {
        List<ByteBuffer> backing = List.copyOf(iovecs);
        onOwner("rutabaga_resource_attach_backing", () -> {
            Resource resource = resource(resourceId);
            if (resource.backing != null) {
                throw new GpuBackendException(RESP_ERR_UNSPEC, "resource " + resourceId + " already has backing");
            }
            check("rutabaga_resource_attach_backing(" + resourceId + ", " + backing.size() + " iovecs)",
                    lib.rutabaga_resource_attach_backing(instance, resourceId, iovecs("resource " + resourceId, backing)),
                    RESP_ERR_UNSPEC);
            resource.backing = backing;
            return null;
        });
    }

    @Override
    public void detachBacking(int resourceId) throws GpuBackendException {
        onOwner("rutabaga_resource_detach_backing", () -> {
            Resource resource = resource(resourceId);
            if (resource.backing == null) {
                throw new GpuBackendException(RESP_ERR_UNSPEC, "resource " + resourceId + " has no backing to detach");
            }
            check("rutabaga_resource_detach_backing(" + resourceId + ")",
                    lib.rutabaga_resource_detach_backing(instance, resourceId), RESP_ERR_UNSPEC);
            resource.backing = null;
            return null;
        });
    }

    /**
     * With capsets, handed to the library as given. On the 2D component, checked completely
     * first (a failing 0.1.2 transfer breaks the resource for good) and translated: the guest's
     * {@code offset} says where the box starts in the backing, while the library places the box
     * at {@code offset + y * width * 4 + x * 4} with rows {@code width * 4} bytes apart.
     */
    @Override
    public void transferWrite(int ctxId, int resourceId, Transfer transfer) throws GpuBackendException {
        onOwner("rutabaga_resource_transfer_write", () -> {
            Resource resource = resource(resourceId);
            Transfer sent = transfer;
            if (twoD) {
                sent = twoDWrite(resource, transfer);
                if (sent == null) {
                    return null;
                }
            }
            check("rutabaga_resource_transfer_write(ctx " + ctxId + ", " + resourceId + ", " + transfer + ")",
                    lib.rutabaga_resource_transfer_write(instance, ctxId, resourceId, toNative(sent)),
                    RESP_ERR_INVALID_PARAMETER);
            return null;
        });
    }

    /** The library transfer for a valid 2D write, or {@code null} when there is nothing to copy. */
    private static Transfer twoDWrite(Resource r, Transfer t) throws GpuBackendException {
        if (r.blob) {
            throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "resource " + r.id + " is a blob");
        }
        if (t.z() != 0 || t.depth() != 1 || t.level() != 0) {
            throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "transfer to 2D resource " + r.id + " has z "
                    + t.z() + ", depth " + t.depth() + ", level " + t.level() + " (expected 0, 1, 0)");
        }
        long x = Integer.toUnsignedLong(t.x());
        long y = Integer.toUnsignedLong(t.y());
        long w = Integer.toUnsignedLong(t.width());
        long h = Integer.toUnsignedLong(t.height());
        if (x + w > r.width || y + h > r.height) {
            throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "transfer box " + x + "," + y + " " + w + "x" + h
                    + " lies outside resource " + r.id + " of " + r.width + "x" + r.height);
        }
        if (w == 0 || h == 0) {
            return null;
        }
        if (r.backing == null) {
            throw new GpuBackendException(RESP_ERR_UNSPEC, "resource " + r.id + " has no backing attached");
        }
        long rowStride = (long) r.width * BYTES_PER_PIXEL;
        long stride = t.stride() == 0 ? rowStride : Integer.toUnsignedLong(t.stride());
        if (stride != rowStride) {
            throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "transfer stride " + stride + " differs from the "
                    + rowStride + " bytes of a row of resource " + r.id + "; rutabaga's 2D component reads backing"
                    + " rows that far apart");
        }
        long boxStart = y * rowStride + x * BYTES_PER_PIXEL;
        long offset = t.offset();
        if (offset < boxStart) {
            throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "transfer offset " + Long.toUnsignedString(offset)
                    + " lies before byte " + boxStart + ", where box " + x + "," + y
                    + " starts in a linear image; rutabaga's 2D component cannot read the box from there");
        }
        long end;
        try {
            end = Math.addExact(offset, Math.addExact((h - 1) * rowStride, w * BYTES_PER_PIXEL));
        } catch (ArithmeticException e) {
            end = Long.MAX_VALUE;
        }
        long backingSize = size(r.backing);
        if (end > backingSize) {
            throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "transfer reads backing bytes from "
                    + Long.toUnsignedString(offset) + " to " + (end == Long.MAX_VALUE ? "beyond 2^63" : end)
                    + ", but resource " + r.id + " has " + backingSize + " bytes of backing");
        }
        return new Transfer(t.x(), t.y(), 0, t.width(), t.height(), 1, 0, (int) rowStride, 0, offset - boxStart);
    }

    /**
     * Into the attached backing, as QEMU does (NULL destination). The 2D component has no such
     * path (it needs a destination and ignores the backing): with no capsets there is no 3D,
     * so this is refused there.
     */
    @Override
    public void transferRead(int ctxId, int resourceId, Transfer transfer) throws GpuBackendException {
        onOwner("rutabaga_resource_transfer_read", () -> {
            resource(resourceId);
            if (twoD) {
                throw new GpuBackendException(RESP_ERR_UNSPEC, "TRANSFER_FROM_HOST_3D needs a 3D capset; this rutabaga"
                        + " instance runs the 2D component (no capsets configured)");
            }
            check("rutabaga_resource_transfer_read(ctx " + ctxId + ", " + resourceId + ", " + transfer + ")",
                    lib.rutabaga_resource_transfer_read(instance, ctxId, resourceId, toNative(transfer), null),
                    RESP_ERR_INVALID_PARAMETER);
            return null;
        });
    }

    @Override
    public void contextCreate(int ctxId, int contextInit, String debugName) throws GpuBackendException {
        if (!capabilities.contextInit()) {
            throw new GpuBackendException(RESP_ERR_UNSPEC, "contexts need a capset; this rutabaga instance runs the"
                    + " 2D component (no capsets configured)");
        }
        int capsetId = contextInit & CapsetIds.CONTEXT_INIT_CAPSET_ID_MASK;
        if (capsetId != 0 && capsets.stream().noneMatch(c -> c.capsetId() == capsetId)) {
            throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "context_init 0x"
                    + Integer.toHexString(contextInit) + " asks for capset " + CapsetIds.name(capsetId)
                    + ", which is not offered");
        }
        byte[] name = (debugName == null ? "" : debugName).getBytes(StandardCharsets.UTF_8);
        onOwner("rutabaga_context_create", () -> {
            if (contexts.contains(ctxId)) {
                throw new GpuBackendException(RESP_ERR_INVALID_CONTEXT_ID, "context " + ctxId + " exists");
            }
            try (Memory nameMemory = new Memory(Math.max(1, name.length))) {
                nameMemory.write(0, name, 0, name.length);
                check("rutabaga_context_create(" + ctxId + ", context_init 0x" + Integer.toHexString(contextInit) + ")",
                        lib.rutabaga_context_create(instance, ctxId, contextInit, nameMemory, name.length),
                        RESP_ERR_UNSPEC);
            }
            contexts.add(ctxId);
            return null;
        });
    }

    @Override
    public void contextDestroy(int ctxId) throws GpuBackendException {
        onOwner("rutabaga_context_destroy", () -> {
            context(ctxId);
            check("rutabaga_context_destroy(" + ctxId + ")", lib.rutabaga_context_destroy(instance, ctxId),
                    RESP_ERR_INVALID_CONTEXT_ID);
            contexts.remove(ctxId);
            // Fences the library never signalled (a cross-domain channel ring before its INIT,
            // for one) died with the context.
            fences.dropContext(ctxId);
            return null;
        });
    }

    @Override
    public void contextAttachResource(int ctxId, int resourceId) throws GpuBackendException {
        onOwner("rutabaga_context_attach_resource", () -> {
            context(ctxId);
            resource(resourceId);
            check("rutabaga_context_attach_resource(" + ctxId + ", " + resourceId + ")",
                    lib.rutabaga_context_attach_resource(instance, ctxId, resourceId), RESP_ERR_UNSPEC);
            return null;
        });
    }

    @Override
    public void contextDetachResource(int ctxId, int resourceId) throws GpuBackendException {
        onOwner("rutabaga_context_detach_resource", () -> {
            context(ctxId);
            resource(resourceId);
            check("rutabaga_context_detach_resource(" + ctxId + ", " + resourceId + ")",
                    lib.rutabaga_context_detach_resource(instance, ctxId, resourceId), RESP_ERR_UNSPEC);
            return null;
        });
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
        onOwner("rutabaga_submit_command", () -> {
            context(ctxId);
            try (Memory stream = new Memory(Math.max(1, length));
                    Memory fenceIds = new Memory((long) Math.max(1, inFences.length) * Long.BYTES)) {
                stream.getByteBuffer(0, length).put(commands.duplicate());
                fenceIds.write(0, inFences, 0, inFences.length);
                rutabaga_command command = new rutabaga_command();
                command.ctx_id = ctxId;
                command.cmd_size = length;
                command.cmd = stream;
                command.num_in_fences = inFences.length;
                command.fence_ids = fenceIds;
                check("rutabaga_submit_command(ctx " + ctxId + ", " + length + " bytes, " + inFences.length
                        + " in-fences)", lib.rutabaga_submit_command(instance, command), RESP_ERR_INVALID_PARAMETER);
            }
            return null;
        });
    }

    /**
     * With INFO_RING_IDX the fence goes on its context's ring, else on the device-global
     * timeline, as the library does. It is reported when the library says it (or a later fence on
     * the same timeline) completed.
     */
    @Override
    public void createFence(Fence fence) throws GpuBackendException {
        onOwner("rutabaga_create_fence", () -> {
            if (fence.onRing()) {
                context(fence.ctxId());
            }
            long timeline = timeline(fence.flags(), fence.ctxId(), fence.ringIdx());
            fences.add(timeline, fence);
            rutabaga_fence args = new rutabaga_fence();
            args.flags = fence.flags();
            args.fence_id = fence.fenceId();
            args.ctx_id = fence.ctxId();
            args.ring_idx = fence.ringIdx();
            int rc = lib.rutabaga_create_fence(instance, args);
            if (rc != 0) {
                fences.remove(timeline, fence);
                throw failure("rutabaga_create_fence(" + fence + ")", rc,
                        fence.onRing() ? RESP_ERR_INVALID_PARAMETER : RESP_ERR_UNSPEC);
            }
            return null;
        });
    }

    /** {@code map_info} first, then the mapping, as QEMU; only the cache bits go to the guest. */
    @Override
    public BlobMapping mapBlob(int resourceId) throws GpuBackendException {
        return onOwner("rutabaga_resource_map", () -> {
            Resource resource = resource(resourceId);
            if (!resource.blob) {
                throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "resource " + resourceId + " is not a blob");
            }
            if (resource.mapping != null) {
                throw new GpuBackendException(RESP_ERR_UNSPEC, "blob " + resourceId + " is already mapped");
            }
            IntByReference mapInfo = new IntByReference();
            check("rutabaga_resource_map_info(" + resourceId + ")",
                    lib.rutabaga_resource_map_info(instance, resourceId, mapInfo), RESP_ERR_UNSPEC);
            rutabaga_mapping mapping = new rutabaga_mapping();
            check("rutabaga_resource_map(" + resourceId + ")", lib.rutabaga_resource_map(instance, resourceId, mapping),
                    RESP_ERR_UNSPEC);
            if (mapping.ptr == null || mapping.size < 0 || mapping.size > Integer.MAX_VALUE) {
                lib.rutabaga_resource_unmap(instance, resourceId);
                throw new GpuBackendException(RESP_ERR_OUT_OF_MEMORY, "blob " + resourceId + " maps "
                        + Long.toUnsignedString(mapping.size) + " bytes at " + mapping.ptr
                        + "; one mapping can be at most 2 GiB");
            }
            resource.mapping = mapping.ptr.getByteBuffer(0, mapping.size);
            return new BlobMapping(resource.mapping, mapInfo.getValue() & RUTABAGA_MAP_CACHE_MASK);
        });
    }

    @Override
    public void unmapBlob(int resourceId) throws GpuBackendException {
        onOwner("rutabaga_resource_unmap", () -> {
            Resource resource = resource(resourceId);
            if (resource.mapping == null) {
                throw new GpuBackendException(RESP_ERR_UNSPEC, "resource " + resourceId + " is not mapped");
            }
            check("rutabaga_resource_unmap(" + resourceId + ")", lib.rutabaga_resource_unmap(instance, resourceId),
                    RESP_ERR_UNSPEC);
            resource.mapping = null;
            return null;
        });
    }

    /**
     * Reads the whole resource with {@code rutabaga_resource_transfer_read} into a scratch
     * buffer (rows {@code width * 4} bytes apart, the stride the 2D component uses), valid until
     * the next call.
     */
    @Override
    public Frame frame(int resourceId) throws GpuBackendException {
        return onOwner("rutabaga_resource_transfer_read", () -> {
            Resource resource = resource(resourceId);
            if (resource.blob) {
                throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "resource " + resourceId
                        + " is a blob; it is shown through SET_SCANOUT_BLOB");
            }
            if (!Formats.isSupported2d(resource.format)) {
                throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "resource " + resourceId + " has format "
                        + Formats.name(resource.format) + ", none of virtio-gpu's scanout formats");
            }
            long stride = (long) resource.width * BYTES_PER_PIXEL;
            long size = stride * resource.height;
            if (resource.width <= 0 || resource.height <= 0 || size > Integer.MAX_VALUE) {
                throw new GpuBackendException(RESP_ERR_OUT_OF_MEMORY, "resource " + resourceId + " of "
                        + resource.width + "x" + resource.height + " does not fit one frame buffer");
            }
            frameScratch = Iovecs.atLeast(frameScratch, size);
            // Components without host storage for the resource (cross-domain) read nothing:
            // show black, not the previous frame.
            frameScratch.clear(size);
            try (Memory iovec = new Memory(Iovecs.SIZE)) {
                Iovecs.put(iovec, 0, Pointer.nativeValue(frameScratch), size);
                Transfer whole = new Transfer(0, 0, 0, resource.width, resource.height, 1, 0, (int) stride, 0, 0);
                check("rutabaga_resource_transfer_read(" + resourceId + ") for a frame",
                        lib.rutabaga_resource_transfer_read(instance, 0, resourceId, toNative(whole), iovec),
                        RESP_ERR_UNSPEC);
            }
            return new Frame(resource.format, resource.width, resource.height, (int) stride,
                    frameScratch.getByteBuffer(0, size).asReadOnlyBuffer());
        });
    }

    /**
     * A blob's pixels as SET_SCANOUT_BLOB lays them out, from its host mapping when mapped, else
     * from its guest backing: a view when the rows lie in one buffer, else gathered.
     */
    @Override
    public Frame blobFrame(int resourceId, int format, int width, int height, int stride, long offset)
            throws GpuBackendException {
        return onOwner("blob frame", () -> {
            Resource resource = resource(resourceId);
            if (!resource.blob) {
                throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "resource " + resourceId + " is not a blob");
            }
            if (!Formats.isSupported2d(format) || width <= 0 || height <= 0) {
                throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "blob scanout " + width + "x" + height
                        + " in format " + Formats.name(format) + " cannot be shown");
            }
            List<ByteBuffer> source = resource.mapping != null ? List.of(resource.mapping) : resource.backing;
            if (source == null) {
                throw new GpuBackendException(RESP_ERR_UNSPEC, "blob " + resourceId
                        + " has neither guest backing nor a host mapping to show");
            }
            long rowBytes = (long) width * Formats.bytesPerPixel(format);
            long strideBytes = Integer.toUnsignedLong(stride);
            long end;
            try {
                end = Math.addExact(offset, Math.addExact(Math.multiplyExact(height - 1L, strideBytes), rowBytes));
            } catch (ArithmeticException e) {
                end = -1;
            }
            long available = size(source);
            if (strideBytes < rowBytes || offset < 0 || end < 0 || end > available
                    || (long) height * rowBytes > Integer.MAX_VALUE) {
                throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "blob scanout of " + height + " rows of "
                        + rowBytes + " bytes, " + strideBytes + " apart from byte " + offset + ", does not fit the "
                        + available + " bytes of blob " + resourceId);
            }
            if (source.size() == 1 && end - offset <= Integer.MAX_VALUE) {
                ByteBuffer view = source.get(0).duplicate();
                view.position(view.position() + (int) offset).limit(view.position() + (int) (end - offset));
                return new Frame(format, width, height, stride, view.slice().asReadOnlyBuffer());
            }
            int gathered = (int) (height * rowBytes);
            if (blobScratch == null || blobScratch.capacity() < gathered) {
                blobScratch = ByteBuffer.allocate(gathered);
            }
            for (int row = 0; row < height; row++) {
                gather(source, offset + row * strideBytes, blobScratch, (int) (row * rowBytes), (int) rowBytes);
            }
            ByteBuffer pixels = blobScratch.duplicate();
            pixels.position(0).limit(gathered);
            return new Frame(format, width, height, (int) rowBytes, pixels.slice().asReadOnlyBuffer());
        });
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        DebugRelay.unroute(owner);
        if (!owner.stop(this::finish, CLOSE_TIMEOUT_MILLIS)) {
            LOG.error("rutabaga_finish did not return within {} ms; the instance and its owner thread are left behind",
                    CLOSE_TIMEOUT_MILLIS);
        }
        LIVE.remove(id);
    }

    // Runs on the owner thread, last.
    private void finish() {
        if (instance != null) {
            try {
                int rc = lib.rutabaga_finish(new PointerByReference(instance.getPointer()));
                if (rc != 0) {
                    LOG.error("rutabaga_finish returned {}{}", rc, rc == PANIC ? " (a panic inside the library)" : "");
                }
            } catch (RuntimeException | LinkageError e) {
                LOG.error("rutabaga_finish failed", e);
            }
            instance = null;
        }
        fences.clear();
        resources.clear();
        contexts.clear();
        if (frameScratch != null) {
            frameScratch.close();
            frameScratch = null;
        }
        blobScratch = null;
    }

    // The library's fence callback, on any thread: copy, bounce to the owner, return at once.
    // Nothing may be thrown back into the library.
    private static void onFence(long userData, Pointer fencePointer) {
        try {
            rutabaga_fence reported = new rutabaga_fence(fencePointer);
            boolean onRing = (reported.flags & RUTABAGA_FLAG_INFO_RING_IDX) != 0;
            Fence done = new Fence(reported.flags, reported.fence_id, reported.ctx_id, onRing ? reported.ringIdx() : 0);
            RutabagaBackend backend = LIVE.get(userData);
            if (backend == null || !backend.owner.post(() -> backend.retire(done))) {
                LOG.debug("fence {} completed after its rutabaga instance {} closed", done, userData);
            }
        } catch (Throwable t) {
            try {
                LOG.error("rutabaga fence callback failed", t);
            } catch (Throwable ignored) {
                // nothing left to report with
            }
        }
    }

    // Owner thread: every pending fence on the timeline up to the completed one is done.
    private void retire(Fence done) {
        if (!owner.isStopped()) {
            fences.retireUpTo(timeline(done.flags(), done.ctxId(), done.ringIdx()), done.fenceId(), done);
        }
    }

    private static long timeline(int flags, int ctxId, int ringIdx) {
        if ((flags & RUTABAGA_FLAG_INFO_RING_IDX) == 0) {
            return FenceTimelines.GLOBAL;
        }
        return FenceTimelines.ring(ctxId, ringIdx & 0xff);
    }

    /**
     * Runs a library call on the owner thread; the library's debug messages during it are kept
     * for the exception when it fails.
     */
    private <T> T onOwner(String what, NativeCall<T> call) throws GpuBackendException {
        return owner.call(what, () -> {
            DebugRelay.beginCapture();
            try {
                return call.call();
            } finally {
                DebugRelay.endCapture();
            }
        });
    }

    private void check(String call, int rc, int response) throws GpuBackendException {
        if (rc != 0) {
            throw failure(call, rc, response);
        }
    }

    /**
     * A library error as the guest's answer: -ENOMEM is RESP_ERR_OUT_OF_MEMORY, a caught panic
     * (-3) RESP_ERR_UNSPEC and a host fault logged once, anything else {@code response}. The
     * library's own words, if it sent any during the call, are part of the message.
     */
    private GpuBackendException failure(String call, int rc, int response) {
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

    private Resource resource(int resourceId) throws GpuBackendException {
        Resource resource = resources.get(resourceId);
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
        if (!contexts.contains(ctxId)) {
            throw new GpuBackendException(RESP_ERR_INVALID_CONTEXT_ID, "no context " + ctxId);
        }
    }

    private static rutabaga_transfer toNative(Transfer t) {
        rutabaga_transfer transfer = new rutabaga_transfer();
        transfer.x = t.x();
        transfer.y = t.y();
        transfer.z = t.z();
        transfer.w = t.width();
        transfer.h = t.height();
        transfer.d = t.depth();
        transfer.level = t.level();
        transfer.stride = t.stride();
        transfer.layer_stride = t.layerStride();
        transfer.offset = t.offset();
        return transfer;
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

    private static long size(List<ByteBuffer> buffers) {
        long total = 0;
        for (ByteBuffer b : buffers) {
            total += b.remaining();
        }
        return total;
    }

    /** Copies {@code length} bytes from stream offset {@code from} of {@code source} to {@code dst[at..]}. */
    private static void gather(List<ByteBuffer> source, long from, ByteBuffer dst, int at, int length) {
        long start = 0;
        int copied = 0;
        for (ByteBuffer piece : source) {
            long pieceEnd = start + piece.remaining();
            long want = from + copied;
            if (copied < length && want < pieceEnd) {
                int local = (int) (want - start);
                int n = (int) Math.min(length - copied, pieceEnd - want);
                dst.put(at + copied, piece, piece.position() + local, n);
                copied += n;
            }
            start = pieceEnd;
        }
    }

    private static final class Resource {
        final int id;
        final boolean blob;
        final int format;
        final int width;
        final int height;
        /** Guest memory the library holds addresses of; kept reachable while attached. */
        List<ByteBuffer> backing;
        /** The host mapping of a mapped blob. */
        ByteBuffer mapping;

        Resource(int id, boolean blob, int format, int width, int height) {
            this.id = id;
            this.blob = blob;
            this.format = format;
            this.width = width;
            this.height = height;
        }
    }
}
