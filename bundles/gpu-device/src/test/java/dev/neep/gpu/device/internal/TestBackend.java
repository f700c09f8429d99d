package dev.neep.gpu.device.internal;

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
import dev.neep.gpu.api.GpuBackendProvider;
import dev.neep.gpu.api.Transfer;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.Formats;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A GpuBackend test double: records every call and the thread it came on, fails the methods
 * it is told to, signals fences at once (from inside createFence) or when a test says so, and
 * serves 2D frames whose every pixel is the resource id, as opaque ARGB.
 */
final class TestBackend implements GpuBackend {

    /** Opens TestBackends and keeps every instance it opened. */
    static final class Provider implements GpuBackendProvider {
        final String kind;
        volatile BackendCapabilities capabilities = new BackendCapabilities(true, true, true, false);
        volatile List<CapsetInfo> capsets = List.of(new CapsetInfo(1, 1, 308), new CapsetInfo(2, 2, 1376));
        volatile boolean manualFences;
        volatile GpuBackendException openFailure;
        volatile boolean headless;
        final List<TestBackend> opened = new CopyOnWriteArrayList<>();

        Provider(String kind) {
            this.kind = kind;
        }

        /** Backends that are {@link GpuBackend#headless()}, as with {@code wsi=headless}. */
        Provider headless() {
            headless = true;
            return this;
        }

        Provider twoD() {
            capabilities = new BackendCapabilities(false, true, false, false);
            capsets = List.of();
            return this;
        }

        @Override
        public String kind() {
            return kind;
        }

        @Override
        public GpuBackend open(FenceListener fences) throws GpuBackendException {
            if (openFailure != null) {
                throw openFailure;
            }
            TestBackend b = new TestBackend(capabilities, capsets, fences, manualFences);
            b.headless = headless;
            opened.add(b);
            return b;
        }

        TestBackend last() {
            return opened.get(opened.size() - 1);
        }
    }

    private record Geometry(int format, int width, int height) {
    }

    final BackendCapabilities capabilities;
    final List<CapsetInfo> capsets;
    final FenceListener listener;
    final boolean manualFences;
    final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    final Map<String, GpuBackendException> failures = new ConcurrentHashMap<>();
    final Map<String, Runnable> stalls = new ConcurrentHashMap<>();
    final List<Fence> fences = new CopyOnWriteArrayList<>();
    final Map<Integer, List<ByteBuffer>> backing = new ConcurrentHashMap<>();
    final AtomicInteger polls = new AtomicInteger();
    final Map<Integer, Geometry> resources = new ConcurrentHashMap<>();
    final Map<Integer, Long> blobSizes = new ConcurrentHashMap<>();
    /** The host memory of each blob mapped now (with {@code hostVisibleBlobs}). */
    final Map<Integer, ByteBuffer> mapped = new ConcurrentHashMap<>();
    volatile ByteBuffer lastSubmit;
    /** When not negative, capset() returns this many bytes whatever the capset's max_size. */
    volatile int capsetSizeOverride = -1;
    volatile boolean closed;
    volatile boolean headless;

    TestBackend(BackendCapabilities capabilities, List<CapsetInfo> capsets, FenceListener listener,
            boolean manualFences) {
        this.capabilities = capabilities;
        this.capsets = capsets;
        this.listener = listener;
        this.manualFences = manualFences;
    }

    /** Makes the calls of {@code method} run {@code stall} first, on the device thread. */
    TestBackend stalling(String method, Runnable stall) {
        stalls.put(method, stall);
        return this;
    }

    /** Makes the next calls of {@code method} fail with {@code responseType}. */
    TestBackend failing(String method, int responseType) {
        failures.put(method, new GpuBackendException(responseType, "test failure of " + method));
        return this;
    }

    /** Signals {@code fence} as a backend would, from the calling thread. */
    void signal(Fence fence) {
        listener.fenceSignalled(fence);
    }

    long count(String method) {
        synchronized (calls) {
            return calls.stream().filter(c -> c.startsWith(method)).count();
        }
    }

    private void call(String method, Object... args) throws GpuBackendException {
        threads.add(Thread.currentThread());
        calls.add(method + Arrays.toString(args));
        Runnable stall = stalls.get(method);
        if (stall != null) {
            stall.run();
        }
        GpuBackendException f = failures.get(method);
        if (f != null) {
            throw f;
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
        call("capset", capsetId, version);
        for (CapsetInfo c : capsets) {
            if (c.capsetId() == capsetId) {
                byte[] data = new byte[capsetSizeOverride >= 0 ? capsetSizeOverride : c.maxSize()];
                Arrays.fill(data, (byte) capsetId);
                return data;
            }
        }
        throw new GpuBackendException(CtrlType.RESP_ERR_INVALID_PARAMETER, "no capset " + capsetId);
    }

    @Override
    public void resourceCreate2d(int resourceId, int format, int width, int height) throws GpuBackendException {
        call("resourceCreate2d", resourceId, format, width, height);
        resources.put(resourceId, new Geometry(format, width, height));
    }

    @Override
    public void resourceCreate3d(int resourceId, Create3dArgs create) throws GpuBackendException {
        call("resourceCreate3d", resourceId, create);
        resources.put(resourceId, new Geometry(create.format(), create.width(), create.height()));
    }

    @Override
    public void resourceCreateBlob(int ctxId, int resourceId, CreateBlobArgs create, List<ByteBuffer> iovecs)
            throws GpuBackendException {
        call("resourceCreateBlob", ctxId, resourceId, create, iovecs.size());
        backing.put(resourceId, iovecs);
        resources.put(resourceId, new Geometry(0, 0, 0));
        blobSizes.put(resourceId, create.size());
    }

    @Override
    public void resourceUnref(int resourceId) throws GpuBackendException {
        call("resourceUnref", resourceId);
        resources.remove(resourceId);
        backing.remove(resourceId);
    }

    @Override
    public void attachBacking(int resourceId, List<ByteBuffer> iovecs) throws GpuBackendException {
        call("attachBacking", resourceId, iovecs.size());
        backing.put(resourceId, iovecs);
    }

    @Override
    public void detachBacking(int resourceId) throws GpuBackendException {
        call("detachBacking", resourceId);
        backing.remove(resourceId);
    }

    @Override
    public void transferWrite(int ctxId, int resourceId, Transfer transfer) throws GpuBackendException {
        call("transferWrite", ctxId, resourceId, transfer);
    }

    @Override
    public void transferRead(int ctxId, int resourceId, Transfer transfer) throws GpuBackendException {
        call("transferRead", ctxId, resourceId, transfer);
    }

    @Override
    public void contextCreate(int ctxId, int contextInit, String debugName) throws GpuBackendException {
        call("contextCreate", ctxId, contextInit, debugName);
    }

    @Override
    public void contextDestroy(int ctxId) throws GpuBackendException {
        call("contextDestroy", ctxId);
    }

    @Override
    public void contextAttachResource(int ctxId, int resourceId) throws GpuBackendException {
        call("contextAttachResource", ctxId, resourceId);
    }

    @Override
    public void contextDetachResource(int ctxId, int resourceId) throws GpuBackendException {
        call("contextDetachResource", ctxId, resourceId);
    }

    @Override
    public void submitCommand(int ctxId, ByteBuffer commands, long[] inFenceIds) throws GpuBackendException {
        call("submitCommand", ctxId, commands.remaining());
        lastSubmit = commands.duplicate();
    }

    @Override
    public void createFence(Fence fence) throws GpuBackendException {
        call("createFence", fence);
        fences.add(fence);
        if (!manualFences) {
            listener.fenceSignalled(fence);
        }
    }

    @Override
    public BlobMapping mapBlob(int resourceId) throws GpuBackendException {
        call("mapBlob", resourceId);
        if (!capabilities.hostVisibleBlobs()) {
            throw new GpuBackendException(CtrlType.RESP_ERR_UNSPEC, "not mappable");
        }
        // Map info as rutabaga gives it (CACHED | ACCESS_RW) has to reach the device masked.
        ByteBuffer memory = ByteBuffer.allocateDirect(Math.toIntExact(blobSizes.get(resourceId)));
        mapped.put(resourceId, memory);
        long fakeAddress = 0x7f00_0000_0000L + ((long) resourceId << 24);
        return new BlobMapping(memory, fakeAddress, BlobMapping.MAP_CACHE_CACHED,
                capabilities.blobHandles() ? new BlobMapping.Handle(100 + resourceId, BlobMapping.Handle.SHM) : null);
    }

    @Override
    public void unmapBlob(int resourceId) throws GpuBackendException {
        call("unmapBlob", resourceId);
        mapped.remove(resourceId);
    }

    @Override
    public Frame frame(int resourceId) throws GpuBackendException {
        call("frame", resourceId);
        Geometry g = resources.get(resourceId);
        if (g == null || !Formats.isSupported2d(g.format())) {
            throw new GpuBackendException(CtrlType.RESP_ERR_INVALID_RESOURCE_ID, "no pixels for " + resourceId);
        }
        return filled(g.format(), g.width(), g.height(), resourceId);
    }

    @Override
    public Frame blobFrame(int resourceId, int format, int width, int height, int stride, long offset)
            throws GpuBackendException {
        call("blobFrame", resourceId, format, width, height, stride, offset);
        return filled(format, width, height, resourceId);
    }

    private static Frame filled(int format, int width, int height, int value) {
        ByteBuffer pixels = ByteBuffer.allocate(width * height * 4).order(ByteOrder.LITTLE_ENDIAN);
        int word = Formats.argbToLittleEndianWord(format, 0xff000000 | value);
        while (pixels.hasRemaining()) {
            pixels.putInt(word);
        }
        return new Frame(format, width, height, width * 4, pixels.flip().asReadOnlyBuffer());
    }

    @Override
    public void poll() {
        threads.add(Thread.currentThread());
        polls.incrementAndGet();
    }

    @Override
    public void close() {
        calls.add("close[]");
        closed = true;
    }
}
