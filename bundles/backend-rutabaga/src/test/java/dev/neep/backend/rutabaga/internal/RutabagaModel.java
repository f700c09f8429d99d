package dev.neep.backend.rutabaga.internal;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Java model of librutabaga_gfx_ffi 0.1.2 as its source reads and as the bundle README records it,
 * for testing the backend's side of the contract where the library is not installed: the 2D
 * component (with its bug of losing a resource's contents on a failed transfer), the
 * cross-domain component without a Wayland peer, fences signalled inside the call, the
 * process-wide debug callback (a second non-null one panics), {@code -EINVAL} with a debug
 * message for every library error. {@link #withGfxstream()} models a build with gfxstream too:
 * capset gfxstream-vulkan (id 3, version 0, 104 bytes), contexts of it, a renderer that can be
 * initialised once per process, and a resource detached from the contexts it is still attached
 * to when it goes (as gfxstream does, logging "context not found" for a destroyed one).
 *
 * <p>What the real library would do undefined things on (a capset copy larger than the
 * capset, NULL slices, calls from a thread other than the creator's, a second gfxstream in one
 * process), and what gfxstream logs as an error (a context destroyed under an attached
 * resource), is recorded in {@link #violations} so a test can assert there were none.
 */
class RutabagaModel implements RutabagaGfxFfi {

    private static final int EINVAL = -22;
    private static final int ESRCH = -3;
    private static final Map<String, Integer> CAPSETS = Map.of("virgl", 1, "virgl2", 2, "gfxstream-vulkan", 3,
            "venus", 4, "cross-domain", 5, "drm", 6, "gfxstream-magma", 7, "gfxstream-gles", 8, "gfxstream-composer", 9);

    private static final long GFXSTREAM = (1L << 3) | (1L << 7) | (1L << 8) | (1L << 9);

    /** The library's process-wide debug handler cell. */
    private static rutabaga_debug_callback debugHandler;
    private static long debugUserData;
    /** gfxstream's process-wide renderer: built once, never again. */
    private static boolean gfxstreamBuilt;

    final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    final List<String> channelsSeen = Collections.synchronizedList(new ArrayList<>());
    private final Map<Long, Instance> instances = new HashMap<>();
    private long nextHandle = 0x1000;
    private boolean gfxstreamBuild;
    private boolean deferFences;
    private final List<Runnable> deferred = new ArrayList<>();
    /** Successful {@code rutabaga_init} calls. */
    int inits;

    private static final class Resource {
        int width;
        int height;
        byte[] hostMem;
        boolean blob;
        List<long[]> iovecs;
    }

    private final class Instance {
        final Thread creator = Thread.currentThread();
        final long userData;
        final rutabaga_fence_callback fenceCallback;
        final boolean twoD;
        final List<int[]> capsets = new ArrayList<>();
        final Map<Integer, Resource> resources = new HashMap<>();
        final Set<Integer> contexts = new HashSet<>();
        /** Resource id to the contexts it was attached to (gfxstream's own list). */
        final Map<Integer, Set<Integer>> attachedTo = new HashMap<>();
        boolean gfxstream;

        Instance(long userData, rutabaga_fence_callback fenceCallback, boolean twoD) {
            this.userData = userData;
            this.fenceCallback = fenceCallback;
            this.twoD = twoD;
        }

        void signal(int flags, long fenceId, int ctxId, int ringIdx) {
            try (Memory raw = new Memory(24)) {
                raw.setInt(0, flags);
                raw.setLong(8, fenceId);
                raw.setInt(16, ctxId);
                // The library's ring_idx is a u8; the bytes after it are not written.
                raw.setInt(20, 0x5a5a5a00 | (ringIdx & 0xff));
                fenceCallback.invoke(userData, raw);
            }
        }
    }

    /** A model of a build with gfxstream as well. */
    static RutabagaModel withGfxstream() {
        RutabagaModel model = new RutabagaModel();
        model.gfxstreamBuild = true;
        return model;
    }

    /**
     * While {@code on}, fences are kept until {@link #signalNext()}, as a renderer still working
     * on them would.
     */
    synchronized void deferFences(boolean on) {
        deferFences = on;
    }

    /** Reports the oldest kept fence, from the calling thread. */
    void signalNext() {
        Runnable due;
        synchronized (this) {
            due = deferred.remove(0);
        }
        due.run();
    }

    /** Instances initialized and not yet finished. */
    synchronized int liveInstances() {
        return instances.size();
    }

    /** Resources alive in every instance. */
    synchronized int liveResources() {
        return instances.values().stream().mapToInt(i -> i.resources.size()).sum();
    }

    /** Contexts alive in every instance. */
    synchronized int liveContexts() {
        return instances.values().stream().mapToInt(i -> i.contexts.size()).sum();
    }

    private static synchronized int error(String message) {
        if (debugHandler != null) {
            byte[] text = (message + "\0").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            try (Memory raw = new Memory(16); Memory string = new Memory(text.length)) {
                string.write(0, text, 0, text.length);
                raw.setInt(0, RUTABAGA_DEBUG_ERROR);
                raw.setPointer(8, string);
                debugHandler.invoke(debugUserData, raw);
            }
        }
        return EINVAL;
    }

    private Instance instance(rutabaga ptr) {
        Instance instance = instances.get(Pointer.nativeValue(ptr.getPointer()));
        if (instance == null) {
            violations.add("call on an unknown or finished rutabaga");
            throw new IllegalStateException("no such rutabaga");
        }
        if (Thread.currentThread() != instance.creator) {
            violations.add("call from " + Thread.currentThread().getName() + ", not the creating thread "
                    + instance.creator.getName());
        }
        return instance;
    }

    @Override
    public int rutabaga_calculate_capset_mask(String capset_names, LongByReference capset_mask) {
        if (capset_names == null) {
            return EINVAL;
        }
        long mask = 0;
        for (String name : capset_names.split(":")) {
            Integer id = CAPSETS.get(name);
            if (id != null) {
                mask |= 1L << id;
            }
        }
        capset_mask.setValue(mask);
        return 0;
    }

    @Override
    public synchronized int rutabaga_init(rutabaga_builder builder, PointerByReference ptr) {
        if (builder.debug_cb != null) {
            if (debugHandler != null) {
                return ESRCH; // once_cell set failed: a caught panic
            }
            debugHandler = builder.debug_cb;
            debugUserData = builder.user_data;
        }
        if (builder.channels != null) {
            rutabaga_channels channels = Structure.newInstance(rutabaga_channels.class, builder.channels);
            channels.read();
            for (int i = 0; i < channels.num_channels; i++) {
                rutabaga_channel channel = Structure.newInstance(rutabaga_channel.class,
                        channels.channels.share((long) i * 16));
                channel.read();
                channelsSeen.add(channel.channel_name.getString(0, "UTF-8") + " type " + channel.channel_type);
            }
        }
        if (builder.wsi != RUTABAGA_WSI_SURFACELESS) {
            return EINVAL;
        }
        long mask = builder.capset_mask;
        long virgl = (1L << 2) | (1L << 4) | (1L << 6);
        if ((mask & GFXSTREAM) != 0 && !gfxstreamBuild) {
            return error("invalid rutabaga build: gfxstream feature not enabled");
        }
        if ((mask & virgl) != 0) {
            return error("invalid rutabaga build: virgl renderer feature not enabled");
        }
        Instance instance = new Instance(builder.user_data, builder.fence_cb, mask == 0);
        if ((mask & GFXSTREAM) != 0) {
            if (gfxstreamBuilt) {
                violations.add("gfxstream initialised a second time in one process (the real one fails or crashes)");
                return error("Failed to initialize Gfxstream renderer!");
            }
            gfxstreamBuilt = true;
            instance.gfxstream = true;
            instance.capsets.add(new int[] {3, 0, 104});
        }
        if (mask != 0 && (mask & (1L << 5)) != 0) {
            instance.capsets.add(new int[] {5, 0, 16});
        }
        inits++;
        long handle = nextHandle += 0x100;
        instances.put(handle, instance);
        ptr.setValue(new Pointer(handle));
        return 0;
    }

    @Override
    public synchronized int rutabaga_finish(PointerByReference ptr) {
        instance(new rutabaga(ptr.getValue()));
        instances.remove(Pointer.nativeValue(ptr.getValue()));
        ptr.setValue(null);
        return 0;
    }

    @Override
    public int rutabaga_get_num_capsets(rutabaga ptr, IntByReference num_capsets) {
        num_capsets.setValue(instance(ptr).capsets.size());
        return 0;
    }

    @Override
    public int rutabaga_get_capset_info(rutabaga ptr, int capset_index, IntByReference capset_id,
            IntByReference capset_version, IntByReference capset_size) {
        Instance r = instance(ptr);
        if (capset_index < 0 || capset_index >= r.capsets.size()) {
            return error("invalid capset");
        }
        int[] info = r.capsets.get(capset_index);
        capset_id.setValue(info[0]);
        capset_version.setValue(info[1]);
        capset_size.setValue(info[2]);
        return 0;
    }

    @Override
    public int rutabaga_get_capset(rutabaga ptr, int capset_id, int version, Pointer capset, int capset_size) {
        instance(ptr);
        // Cross-domain's capabilities (16 bytes) and gfxstream's vulkanCapset (104) start with
        // their version, 1.
        byte[] data = new byte[capset_id == 3 ? 104 : 16];
        data[0] = 1;
        if (capset_size != data.length) {
            violations.add("rutabaga_get_capset copies " + capset_size + " bytes of a " + data.length + "-byte capset");
            return 0;
        }
        capset.write(0, data, 0, capset_size);
        return 0;
    }

    @Override
    public int rutabaga_context_create(rutabaga ptr, int ctx_id, int context_init, Pointer context_name,
            int context_name_len) {
        Instance r = instance(ptr);
        if (r.twoD) {
            return error("the component does not support this operation");
        }
        if (!r.contexts.add(ctx_id)) {
            return error("invalid context id");
        }
        return 0;
    }

    @Override
    public int rutabaga_context_destroy(rutabaga ptr, int ctx_id) {
        Instance r = instance(ptr);
        r.attachedTo.forEach((resource, contexts) -> {
            if (contexts.contains(ctx_id)) {
                violations.add("context " + ctx_id + " destroyed with resource " + resource + " attached (gfxstream"
                        + " logs \"failed to detach resource " + resource + " to context " + ctx_id
                        + ": context not found\" when it goes)");
            }
        });
        return r.contexts.remove(ctx_id) ? 0 : error("invalid context id");
    }

    @Override
    public int rutabaga_context_attach_resource(rutabaga ptr, int ctx_id, int resource_id) {
        Instance r = instance(ptr);
        if (!r.contexts.contains(ctx_id)) {
            return error("invalid context id");
        }
        if (!r.resources.containsKey(resource_id)) {
            return error("invalid resource id");
        }
        r.attachedTo.computeIfAbsent(resource_id, k -> new HashSet<>()).add(ctx_id);
        return 0;
    }

    @Override
    public int rutabaga_context_detach_resource(rutabaga ptr, int ctx_id, int resource_id) {
        Instance r = instance(ptr);
        if (!r.contexts.contains(ctx_id)) {
            return error("invalid context id");
        }
        if (!r.resources.containsKey(resource_id)) {
            return error("invalid resource id");
        }
        r.attachedTo.getOrDefault(resource_id, new HashSet<>()).remove(ctx_id);
        return 0;
    }

    @Override
    public int rutabaga_resource_create_3d(rutabaga ptr, int resource_id, rutabaga_create_3d create_3d) {
        Instance r = instance(ptr);
        if (r.resources.containsKey(resource_id)) {
            return error("invalid resource id");
        }
        Resource resource = new Resource();
        resource.width = create_3d.width;
        resource.height = create_3d.height;
        // The cross-domain component keeps the trait's default: a resource without storage.
        resource.hostMem = r.twoD ? new byte[create_3d.width * create_3d.height * 4] : null;
        r.resources.put(resource_id, resource);
        return 0;
    }

    private List<long[]> copyIovecs(rutabaga_iovecs iovecs) {
        if (iovecs.iovecs == null) {
            violations.add("NULL iovec array made into a slice");
            return List.of();
        }
        List<long[]> copy = new ArrayList<>();
        for (int i = 0; i < iovecs.num_iovecs; i++) {
            copy.add(new long[] {iovecs.iovecs.getLong(i * 16L), iovecs.iovecs.getLong(i * 16L + 8)});
        }
        return copy;
    }

    @Override
    public int rutabaga_resource_attach_backing(rutabaga ptr, int resource_id, rutabaga_iovecs iovecs) {
        Resource resource = instance(ptr).resources.get(resource_id);
        if (resource == null) {
            return error("invalid resource id");
        }
        resource.iovecs = copyIovecs(iovecs);
        return 0;
    }

    @Override
    public int rutabaga_resource_detach_backing(rutabaga ptr, int resource_id) {
        Resource resource = instance(ptr).resources.get(resource_id);
        if (resource == null) {
            return error("invalid resource id");
        }
        resource.iovecs = null;
        return 0;
    }

    @Override
    public int rutabaga_resource_transfer_read(rutabaga ptr, int ctx_id, int resource_id, rutabaga_transfer t,
            Pointer iovec) {
        Instance r = instance(ptr);
        Resource resource = r.resources.get(resource_id);
        if (resource == null) {
            return error("invalid resource id");
        }
        if (!r.twoD) {
            return 0; // the trait's default: nothing to read
        }
        // 0.1.2 takes the 2D info out before checking anything and puts it back only on success.
        byte[] host = resource.hostMem;
        resource.hostMem = null;
        if (host == null) {
            return error("invalid 2d info");
        }
        if (iovec == null) {
            return error("need a destination slice for transfer read");
        }
        if (t.w == 0 || t.h == 0) {
            resource.hostMem = host;
            return 0;
        }
        if ((long) t.x + t.w > resource.width || (long) t.y + t.h > resource.height) {
            return error("range check failed");
        }
        Pointer base = iovec.getPointer(0);
        long length = iovec.getLong(8);
        long stride = Integer.toUnsignedLong(t.stride);
        for (int row = 0; row < t.h; row++) {
            long dst = (t.y + row) * stride + t.x * 4L;
            if (dst + t.w * 4L > length) {
                return error("invalid iovec");
            }
            base.write(dst, host, ((t.y + row) * resource.width + t.x) * 4, t.w * 4);
        }
        resource.hostMem = host;
        return 0;
    }

    @Override
    public int rutabaga_resource_transfer_write(rutabaga ptr, int ctx_id, int resource_id, rutabaga_transfer t) {
        Instance r = instance(ptr);
        Resource resource = r.resources.get(resource_id);
        if (resource == null) {
            return error("invalid resource id");
        }
        if (!r.twoD) {
            return 0; // the trait's default: nothing to write
        }
        if (t.w == 0 || t.h == 0 || t.d == 0) {
            return 0;
        }
        byte[] host = resource.hostMem;
        resource.hostMem = null;
        if (host == null) {
            return error("invalid 2d info");
        }
        List<long[]> iovecs = resource.iovecs;
        resource.iovecs = null;
        if (iovecs == null) {
            return error("invalid iovec");
        }
        if ((long) t.x + t.w > resource.width || (long) t.y + t.h > resource.height) {
            return error("range check failed");
        }
        long stride = resource.width * 4L;
        for (int row = 0; row < t.h; row++) {
            long src = t.offset + (t.y + row) * stride + t.x * 4L;
            byte[] line = read(iovecs, src, t.w * 4);
            System.arraycopy(line, 0, host, (int) ((t.y + row) * stride + t.x * 4L), line.length);
        }
        resource.hostMem = host;
        resource.iovecs = iovecs;
        return 0;
    }

    // Bytes of the iovec stream that exist; the library clamps a short backing silently.
    private static byte[] read(List<long[]> iovecs, long from, int length) {
        byte[] out = new byte[length];
        long start = 0;
        int copied = 0;
        for (long[] iov : iovecs) {
            long end = start + iov[1];
            long want = from + copied;
            if (copied < length && want >= start && want < end) {
                int n = (int) Math.min(length - copied, end - want);
                new Pointer(iov[0]).read(want - start, out, copied, n);
                copied += n;
            }
            start = end;
        }
        return copied == length ? out : java.util.Arrays.copyOf(out, copied);
    }

    @Override
    public int rutabaga_resource_create_blob(rutabaga ptr, int ctx_id, int resource_id,
            rutabaga_create_blob create_blob, rutabaga_iovecs iovecs, rutabaga_handle handle) {
        Instance r = instance(ptr);
        if (r.twoD) {
            return error("the component does not support this operation");
        }
        if (r.resources.containsKey(resource_id)) {
            return error("invalid resource id");
        }
        if (create_blob.blob_mem != RUTABAGA_BLOB_MEM_GUEST
                && create_blob.blob_flags != RUTABAGA_BLOB_FLAG_USE_MAPPABLE) {
            return error("expected only guest memory blobs");
        }
        Resource resource = new Resource();
        resource.blob = true;
        resource.iovecs = iovecs == null ? null : copyIovecs(iovecs);
        r.resources.put(resource_id, resource);
        return 0;
    }

    @Override
    public int rutabaga_resource_unref(rutabaga ptr, int resource_id) {
        Instance r = instance(ptr);
        for (int ctx : r.attachedTo.getOrDefault(resource_id, Set.of())) {
            if (!r.contexts.contains(ctx)) {
                violations.add("failed to detach resource " + resource_id + " to context " + ctx
                        + ": context not found");
            }
        }
        r.attachedTo.remove(resource_id);
        return r.resources.remove(resource_id) != null ? 0 : error("invalid resource id");
    }

    @Override
    public int rutabaga_resource_export_blob(rutabaga ptr, int resource_id, rutabaga_handle handle) {
        instance(ptr);
        return error("invalid rutabaga handle");
    }

    @Override
    public int rutabaga_resource_map(rutabaga ptr, int resource_id, rutabaga_mapping mapping) {
        instance(ptr);
        return error("the resource has no host mapping");
    }

    @Override
    public int rutabaga_resource_unmap(rutabaga ptr, int resource_id) {
        instance(ptr);
        return error("the resource is not mapped");
    }

    @Override
    public int rutabaga_resource_map_info(rutabaga ptr, int resource_id, IntByReference map_info) {
        Resource resource = instance(ptr).resources.get(resource_id);
        return error(resource == null ? "invalid resource id" : "the resource has no map info");
    }

    @Override
    public int rutabaga_submit_command(rutabaga ptr, rutabaga_command cmd) {
        Instance r = instance(ptr);
        if (cmd.cmd == null || cmd.fence_ids == null) {
            violations.add("rutabaga_command with a NULL " + (cmd.cmd == null ? "cmd" : "fence_ids")
                    + " made into a slice");
        }
        if (!r.contexts.contains(cmd.ctx_id)) {
            return error("invalid context id");
        }
        return cmd.cmd_size == 0 ? 0 : error("cross-domain: invalid command");
    }

    @Override
    public int rutabaga_create_fence(rutabaga ptr, rutabaga_fence fence) {
        Instance r = instance(ptr);
        if (deferFences) {
            int flags = fence.flags;
            long id = fence.fence_id;
            int ctx = fence.ctx_id;
            int ring = fence.ring_idx;
            synchronized (this) {
                deferred.add(() -> r.signal(flags, id, ctx, ring));
            }
            return 0;
        }
        if ((fence.flags & RUTABAGA_FLAG_INFO_RING_IDX) == 0) {
            // gfxstream reports a global fence with ctx_id 0 whatever it was created with
            r.signal(fence.flags, fence.fence_id, r.gfxstream ? 0 : fence.ctx_id, fence.ring_idx);
            return 0;
        }
        if (!r.contexts.contains(fence.ctx_id)) {
            return error("invalid context id");
        }
        if (r.gfxstream) {
            r.signal(fence.flags, fence.fence_id, fence.ctx_id, fence.ring_idx);
            return 0;
        }
        switch (fence.ring_idx & 0xff) {
            case 0:
                r.signal(fence.flags, fence.fence_id, fence.ctx_id, fence.ring_idx);
                return 0;
            case 1:
                return 0; // the channel ring before CROSS_DOMAIN_CMD_INIT: dropped
            default:
                return error("unexpected ring type");
        }
    }
}
