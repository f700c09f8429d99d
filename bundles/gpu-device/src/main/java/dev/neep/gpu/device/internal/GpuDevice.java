package dev.neep.gpu.device.internal;

import dev.neep.gpu.api.BackendCapabilities;
import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.api.Fence;
import dev.neep.gpu.api.Frame;
import dev.neep.gpu.api.GpuBackend;
import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.api.GpuBackendProvider;
import dev.neep.gpu.device.DeviceConfig;
import dev.neep.gpu.device.FrontEndDisplays;
import dev.neep.gpu.device.VirtioGpu;
import dev.neep.gpu.protocol.Blobs;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.GpuConfig;
import dev.neep.gpu.protocol.GpuEvents;
import dev.neep.gpu.protocol.Rect;
import dev.neep.virtio.GuestMemory;
import dev.neep.virtio.Interrupts;
import dev.neep.virtio.MappingSource;
import dev.neep.virtio.NotificationSource;
import dev.neep.virtio.OnceLog;
import dev.neep.virtio.SharedMemoryRegion;
import dev.neep.virtio.Virtqueue;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The virtio-gpu device (virtio device id 16): the control queue and the cursor queue, the
 * configuration space, one backend and any number of display sinks.
 *
 * <h2>Threading</h2>
 * Everything happens on one device command thread ({@link DeviceThread}): commands, fence
 * completion, backend calls (a native renderer binds its context to the thread that opened
 * it), sink calls. The transport's calls only schedule work there ({@link #queueNotify}, which
 * runs on the device thread itself when it {@linkplain #waitIn waits in} the transport's
 * notification source) or read volatile state ({@link #deviceFeatures}, {@link #readConfig}); {@link #reset()} and
 * {@link #close()} wait for the thread so that the transport may unmap guest memory when they
 * return. A backend reports fences from any thread; completion hops to the device thread.
 *
 * <h2>Layers</h2>
 * {@link CommandQueues} pops the chains and parks fenced answers until their fence signals;
 * {@link DeviceCore} frames each command, runs its handler from the {@link CommandTable} and
 * keeps the device's state. This class binds them to the transport, the backend and the sinks.
 *
 * <h2>Backends</h2>
 * {@link #useProvider} opens the provider's backend on the device thread, and that instance
 * serves every driver until the provider or its settings change, as QEMU keeps one rutabaga
 * instance for the device's life: a reset (a driver reload, a front end leaving) releases what
 * the guest made in it (see {@link DeviceCore#releaseAll}) but never closes it. Replacing it
 * while the device runs releases the same way, completes the parked fences (the old backend will
 * never signal them), closes the old instance, opens the new one, recomputes the features and
 * {@code num_capsets}, withdraws negotiated features the new one lacks, and raises a
 * configuration change. {@link #reopen} does the same when the provider's own settings change.
 *
 * <p>Because the instance outlives its drivers, the backend never sees a guest's fence ids: it
 * sees the device's own, one increasing sequence (see {@link Framing}), so a fence of an earlier
 * driver that the backend signals after a reset cannot complete a later driver's command.
 */
public final class GpuDevice implements VirtioGpu {

    public static final int DEVICE_ID = 16;
    static final int MAX_QUEUE_SIZE = 1024;
    /** How long closing waits for the sinks to hear of it (see {@link #awaitSinksTold}). */
    static final long CLOSE_SINK_WAIT_MS = 500;
    /**
     * How long the control queue waits for the front end to answer GET_DISPLAY_INFO or GET_EDID
     * before the configured modes answer: far longer than a front end needs (QEMU answers from
     * its main loop, under TCG too), short enough that a front end that never answers leaves
     * the guest its configured modes, not a hung queue.
     */
    static final long FRONT_END_TIMEOUT_MILLIS = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(GpuDevice.class);

    private volatile DeviceConfig config;
    private final OnceLog log = new OnceLog(LOG, "virtio-gpu");
    private final DeviceThread thread = new DeviceThread(log);
    private final String name;
    private final SinkHub sinks;
    private final DeviceCore core;
    private final CommandQueues queues;
    private final AtomicInteger eventsRead = new AtomicInteger();
    private volatile long deviceFeatures;
    private volatile int numCapsets;
    /** The open backend's capabilities, null without one: what the transport's thread may ask about. */
    private volatile BackendCapabilities capabilities;

    // device-thread state
    /** A new shape configured while a driver was active, for the next reset; null for none. */
    private DeviceConfig pendingShape;
    private GpuBackendProvider provider;
    private GpuBackend backend;
    private long generation;

    /** A device named {@link VirtioGpu#DEFAULT_NAME} with no backend yet. */
    public GpuDevice(DeviceConfig config) {
        this(DEFAULT_NAME, config);
    }

    /** A device named {@code name} with no backend yet ({@link #useProvider} opens one). */
    public GpuDevice(String name, DeviceConfig config) {
        this(name, config, FRONT_END_TIMEOUT_MILLIS);
    }

    /** As {@link #GpuDevice(String, DeviceConfig)}, waiting {@code frontEndTimeoutMillis} for a front end (tests). */
    GpuDevice(String name, DeviceConfig config, long frontEndTimeoutMillis) {
        this.name = Objects.requireNonNull(name, "name");
        this.config = Objects.requireNonNull(config, "config");
        this.sinks = new SinkHub(name, log);
        this.core = new DeviceCore(config, log, sinks, this::contextDestroyed);
        this.queues = new CommandQueues(log, thread, core, frontEndTimeoutMillis);
        this.deviceFeatures = features(null);
    }

    @Override
    public String name() {
        return name;
    }

    /** The configuration in effect (a new shape waiting for the next reset is not in it yet). */
    @Override
    public DeviceConfig config() {
        return config;
    }

    /**
     * Takes {@code next} as the configuration while the device runs. Outputs, modes, EDID and
     * the host memory limit are what a driver reads when it initialises the device, so while a
     * driver is active they wait for the next reset; otherwise they apply at once. The backend
     * is not the configuration's business: it is whatever {@link #useProvider} was given.
     */
    @Override
    public void reconfigure(DeviceConfig next) {
        Objects.requireNonNull(next, "next");
        thread.call(() -> {
            pendingShape = null;
            if (queues.active() && !config.equals(next)) {
                pendingShape = next;
                LOG.info("virtio-gpu device: max_outputs={} xres={} yres={} edid={} max_hostmem={} take effect when"
                        + " the driver resets the device", next.maxOutputs(), next.xres(), next.yres(), next.edid(),
                        next.maxHostmem());
                return null;
            }
            config = next;
            core.reconfigure(next);
            deviceFeatures = features(backend == null ? null : backend.capabilities());
            return null;
        });
    }

    // ---- backend ----

    /**
     * Makes {@code next} the backend provider (null: none) and waits until its backend is open
     * on the device thread. Passing the provider already in use changes nothing.
     *
     * @throws GpuBackendException when the backend cannot be opened; the device then has no
     *         backend and answers every command that needs one with RESP_ERR_UNSPEC
     */
    @Override
    public void useProvider(GpuBackendProvider next) throws GpuBackendException {
        GpuBackendException failure = thread.call(() -> {
            if (next == provider && backend != null) {
                return null;
            }
            return swapTo(next);
        });
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Opens {@code changed}'s backend again if it is the provider in use: its settings changed,
     * and a backend takes them only when it opens. Everything is released as in a swap; a
     * backend that failed to open is tried again.
     *
     * @throws GpuBackendException when the backend cannot be opened (see {@link #useProvider})
     */
    @Override
    public void reopen(GpuBackendProvider changed) throws GpuBackendException {
        GpuBackendException failure = thread.call(() -> changed == provider ? swapTo(changed) : null);
        if (failure != null) {
            throw failure;
        }
    }

    /** Drops {@code gone} if it is the provider in use; another provider's removal changes nothing. */
    @Override
    public void dropProvider(GpuBackendProvider gone) {
        thread.call(() -> gone == provider ? swapTo(null) : null);
    }

    private GpuBackendException swapTo(GpuBackendProvider next) {
        boolean hadBackend = backend != null;
        releaseEverything(true);
        closeBackend();
        provider = next;
        generation++;
        GpuBackendException failure = null;
        if (next == null) {
            core.useBackend(null, "no backend provider bound");
        } else {
            long gen = generation;
            try {
                backend = next.open(fence -> fenceFromBackend(gen, fence));
                if (backend == null) {
                    throw new GpuBackendException(CtrlType.RESP_ERR_UNSPEC, "provider returned no backend");
                }
                core.useBackend(backend, null);
                LOG.info("virtio-gpu backend '{}' open: {}, {} capsets", next.kind(), backend.capabilities(),
                        core.capsetCount());
            } catch (GpuBackendException | RuntimeException e) {
                failure = e instanceof GpuBackendException g ? g
                        : new GpuBackendException(CtrlType.RESP_ERR_UNSPEC, e.getMessage(), e);
                LOG.error("virtio-gpu backend '{}' failed to open: {}", next.kind(), failure.getMessage(), e);
                closeBackend();
                core.useBackend(null, "backend '" + next.kind() + "' failed to open: " + failure.getMessage());
            }
        }
        capabilities = backend == null ? null : backend.capabilities();
        deviceFeatures = features(capabilities);
        numCapsets = core.capsetCount();
        if (queues.active()) {
            core.restrictFeatures(deviceFeatures);
            if (hadBackend || backend != null) {
                raiseDisplayEvent();
            }
        }
        return failure;
    }

    private void closeBackend() {
        if (backend != null) {
            try {
                backend.close();
            } catch (RuntimeException e) {
                log.host("backend close", "closing the backend threw", e);
            }
            backend = null;
        }
    }

    private long features(BackendCapabilities caps) {
        return DeviceFeatures.offered(config.edid(), caps);
    }

    // ---- sinks ----

    /** Binds a sink; it gets the current scanouts, a full frame of each and the cursors at once. */
    @Override
    public void addSink(DisplaySink sink) {
        Objects.requireNonNull(sink, "sink");
        thread.execute(() -> {
            SinkLane lane = sinks.add(sink);
            if (lane != null) {
                core.replay(lane);
            }
        });
    }

    /**
     * Unbinds a sink; when this returns the device starts no further call on it, and a call in
     * progress has ended or was waited for a bounded time (see {@link SinkLane#awaitStopped}).
     */
    @Override
    public void removeSink(DisplaySink sink) {
        SinkLane stopped = thread.call(() -> sinks.remove(sink));
        if (stopped != null) {
            stopped.awaitStopped();
        }
    }

    // ---- VgaScanout: checked on the caller's thread, shown on the device's (see VgaPictures) ----

    @Override
    public void showVga(Frame picture) {
        VgaPictures.check(picture);
        thread.execute(() -> core.vga().show(picture));
    }

    @Override
    public void updateVga(Rect dirty, Frame picture) {
        VgaPictures.checkUpdate(dirty, picture);
        thread.execute(() -> core.vga().update(dirty, picture));
    }

    @Override
    public void withdrawVga() {
        thread.execute(() -> core.vga().withdraw());
    }

    // ---- VirtioDevice ----

    @Override
    public int deviceId() {
        return DEVICE_ID;
    }

    @Override
    public long deviceFeatures() {
        return deviceFeatures;
    }

    @Override
    public int queueCount() {
        return CommandQueues.QUEUE_COUNT;
    }

    @Override
    public int maxQueueSize(int queueIndex) {
        return queueIndex >= 0 && queueIndex < CommandQueues.QUEUE_COUNT ? MAX_QUEUE_SIZE : 0;
    }

    @Override
    public int configSize() {
        return GpuConfig.SIZE;
    }

    @Override
    public void readConfig(int offset, byte[] dst) {
        byte[] space = new GpuConfig(eventsRead.get(), 0, config.maxOutputs(), numCapsets).toBytes();
        for (int i = 0; i < dst.length; i++) {
            long at = (long) offset + i;
            dst[i] = at >= 0 && at < space.length ? space[(int) at] : 0;
        }
    }

    @Override
    public void writeConfig(int offset, byte[] src) {
        // Only events_clear is writable: each bit written as 1 clears that bit of events_read.
        int clear = 0;
        for (int i = 0; i < src.length; i++) {
            long at = (long) offset + i - GpuConfig.OFFSET_EVENTS_CLEAR;
            if (at >= 0 && at < 4) {
                clear |= (src[i] & 0xff) << (8 * at);
            }
        }
        int bits = clear;
        if (bits != 0) {
            eventsRead.getAndUpdate(v -> v & ~bits);
        }
    }

    @Override
    public void activate(long driverFeatures, GuestMemory memory, List<Virtqueue> queues, Interrupts interrupts) {
        Objects.requireNonNull(memory, "memory");
        Objects.requireNonNull(queues, "queues");
        Objects.requireNonNull(interrupts, "interrupts");
        thread.execute(() -> {
            core.activate(memory, driverFeatures & deviceFeatures);
            this.queues.activate(queues, interrupts);
        });
    }

    @Override
    public void queueNotify(int queueIndex) {
        queues.kick(queueIndex);
    }

    /** The device thread waits for the transport's notifications itself (see {@link DeviceThread}). */
    @Override
    public boolean waitIn(NotificationSource source) {
        return thread.waitIn(source);
    }

    // ---- SharedMemoryDevice ----

    /**
     * The host-visible region (shmid 1, {@code hostmem} bytes) when {@code hostmem} is set and
     * the transport can carry what a backend maps: host memory always can; a transport that maps
     * only files gets asked only while the backend's blobs come with a file descriptor
     * (virglrenderer's do not, so over vhost-user it offers no host blobs and the guest transfers).
     */
    @Override
    public List<RegionRequest> sharedMemoryRegions(Set<MappingSource.Kind> carried) {
        long hostmem = config.hostmem();
        BackendCapabilities caps = capabilities;
        boolean fillable = carried.contains(MappingSource.Kind.HOST_MEMORY)
                || (carried.contains(MappingSource.Kind.FILE_RANGE) && caps != null && caps.hostVisibleBlobs()
                        && caps.blobHandles());
        return hostmem > 0 && fillable ? List.of(new RegionRequest(Blobs.SHM_ID_HOST_VISIBLE, hostmem)) : List.of();
    }

    @Override
    public void provideSharedMemory(List<SharedMemoryRegion> regions) {
        SharedMemoryRegion hostVisible = regions.stream().filter(r -> r.shmid() == Blobs.SHM_ID_HOST_VISIBLE)
                .findFirst().orElse(null);
        thread.call(() -> {
            core.useRegion(hostVisible);
            return null;
        });
    }

    @Override
    public void reset() {
        // No wait for the sinks: what shows next (the next driver's pictures, virtio-vga's) goes
        // through the same lanes, after the withdrawal, so a blocked sink never holds up a vCPU.
        thread.call(() -> {
            doReset();
            return null;
        });
    }

    /**
     * Waits, {@value #CLOSE_SINK_WAIT_MS} ms at most, until the sinks have been told what closing
     * took off the scanouts, before their lanes stop (which drops what still waits). A sink that
     * is still busy then is left behind.
     */
    private void awaitSinksTold() {
        long deadline = System.nanoTime() + CLOSE_SINK_WAIT_MS * 1_000_000;
        for (SinkLane lane : thread.query(sinks::lanes, List.<SinkLane>of())) {
            try {
                if (!lane.awaitIdle(deadline)) {
                    log.host("close: sinks", "a display sink was still busy " + CLOSE_SINK_WAIT_MS
                            + " ms after the device closed; it went on without waiting for it", null);
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Resets the device, closes the backend and stops the device thread. */
    @Override
    public void close() {
        if (thread.isShutdown()) {
            return;
        }
        thread.call(() -> {
            doReset();
            core.vga().withdraw();
            closeBackend();
            core.useBackend(null, "device closed");
            provider = null;
            return null;
        });
        awaitSinksTold();
        thread.call(() -> {
            sinks.clearAll();
            return null;
        });
        thread.shutdown();
    }

    private void doReset() {
        releaseEverything(false);
        core.useRegion(null);
        core.deactivate();
        queues.deactivate();
        eventsRead.set(0);
        if (pendingShape != null) {
            config = pendingShape;
            pendingShape = null;
            core.reconfigure(config);
            deviceFeatures = features(backend == null ? null : backend.capabilities());
        }
    }

    /**
     * Releases every parked fence, scanout, context and resource, in the backend too. Parked
     * responses are completed when the queues live on (a backend swap: the guest must not wait
     * forever for fences the closed backend will never signal) and dropped on reset.
     */
    private void releaseEverything(boolean completeParked) {
        queues.releaseParked(completeParked);
        core.releaseAll();
    }

    // ---- fences ----

    /** The backend's FenceListener: any thread, possibly inside a call the device made. */
    private void fenceFromBackend(long gen, Fence fence) {
        thread.execute(() -> {
            if (gen == generation) {
                queues.fenceSignalled(fence);
            } // else a closed backend instance: nothing of it is parked
        });
    }

    private void contextDestroyed(int ctxId) {
        queues.contextDestroyed(ctxId);
    }

    // ---- display ----

    @Override
    public void setDisplayMode(int output, int width, int height) {
        RuntimeException refused = thread.call(() -> {
            try {
                if (core.setDisplayMode(output, width, height)) {
                    raiseDisplayEvent();
                }
                return null;
            } catch (IllegalArgumentException e) {
                return e;
            }
        });
        if (refused != null) {
            throw refused;
        }
    }

    /**
     * From now on GET_DISPLAY_INFO and GET_EDID ask {@code displays} (null: the configured modes
     * answer); the outputs start over at the configured mode. A command already waiting for the
     * previous front end gets its answer or times out.
     */
    @Override
    public void useFrontEnd(FrontEndDisplays displays) {
        thread.call(() -> {
            core.useFrontEnd(displays);
            return null;
        });
    }

    private void raiseDisplayEvent() {
        eventsRead.getAndUpdate(v -> v | GpuEvents.EVENT_DISPLAY);
        queues.signalConfigChange();
    }

    // ---- GpuDeviceInfo ----

    @Override
    public int resourceCount() {
        return thread.query(core::resourceCount, 0);
    }

    @Override
    public int contextCount() {
        return thread.query(core::contextCount, 0);
    }

    @Override
    public long hostMemoryUsed() {
        return thread.query(core::hostmemUsed, 0L);
    }

    @Override
    public long hostMemoryLimit() {
        return config.maxHostmem();
    }

    @Override
    public long hostVisibleRegionSize() {
        return thread.query(core::regionSize, 0L);
    }

    @Override
    public long hostVisibleRegionUsed() {
        return thread.query(core::regionUsed, 0L);
    }

    @Override
    public int hostVisibleMappings() {
        return thread.query(core::regionMappings, 0);
    }

    @Override
    public int parkedFences() {
        return thread.query(queues::parked, 0);
    }

    @Override
    public int sinkCount() {
        return thread.query(sinks::size, 0);
    }

    @Override
    public String backendKind() {
        return thread.query(() -> backend == null || provider == null ? "" : provider.kind(), "");
    }

    @Override
    public boolean active() {
        return thread.query(queues::active, false);
    }

    /**
     * Waits until every task scheduled so far has run and the sinks have been told what it did
     * (tests, and callers that need a settled device).
     */
    void awaitIdle() {
        for (SinkLane lane : thread.call(sinks::lanes)) {
            try {
                lane.awaitIdle();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
