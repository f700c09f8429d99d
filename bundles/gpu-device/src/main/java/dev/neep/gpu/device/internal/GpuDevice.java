package dev.neep.gpu.device.internal;

import dev.neep.gpu.api.BackendCapabilities;
import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.api.Fence;
import dev.neep.gpu.api.GpuBackend;
import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.api.GpuBackendProvider;
import dev.neep.gpu.device.GpuDeviceInfo;
import dev.neep.gpu.device.GpuDisplayControl;
import dev.neep.gpu.device.internal.CommandProcessor.Processed;
import dev.neep.gpu.device.internal.FenceTimelines.Timeline;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.GpuConfig;
import dev.neep.gpu.protocol.GpuEvents;
import dev.neep.gpu.protocol.GpuFeatures;
import dev.neep.virtio.ChainException;
import dev.neep.virtio.DescriptorChain;
import dev.neep.virtio.GuestMemory;
import dev.neep.virtio.GuestMemoryException;
import dev.neep.virtio.Interrupts;
import dev.neep.virtio.OnceLog;
import dev.neep.virtio.VirtioDevice;
import dev.neep.virtio.VirtioFeatures;
import dev.neep.virtio.Virtqueue;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The virtio-gpu device (virtio device id 16): the control queue and the cursor queue, the
 * configuration space, one backend and any number of display sinks.
 *
 * <h2>Threading</h2>
 * Everything happens on one device command thread: commands, fence completion, backend calls
 * (a native renderer binds its context to the thread that opened it), sink calls. The
 * transport's calls only schedule work there ({@link #queueNotify}) or read volatile state
 * ({@link #deviceFeatures}, {@link #readConfig}); {@link #reset()} and {@link #close()} wait
 * for the thread so that the transport may unmap guest memory when they return. A backend
 * reports fences from any thread; completion hops to the device thread.
 *
 * <h2>Fences</h2>
 * A fenced command's response is written at once and its chain parked on its timeline
 * (see {@link FenceTimelines}); the backend's signal puts every parked chain up to that fence
 * in the used ring. While fences are outstanding the backend is polled every millisecond.
 *
 * <h2>Backends</h2>
 * {@link #useProvider} opens the provider's backend on the device thread. Replacing it while
 * the device runs releases every resource, context and mapping, completes the parked fences
 * (the old backend will never signal them), closes the old instance, opens the new one,
 * recomputes the features and {@code num_capsets}, withdraws negotiated features the new one
 * lacks, and raises a configuration change. {@link #reopen} does the same when the
 * provider's own settings change.
 */
public final class GpuDevice implements VirtioDevice, GpuDeviceInfo, GpuDisplayControl, AutoCloseable {

    public static final int DEVICE_ID = 16;
    public static final int CONTROL_QUEUE = 0;
    public static final int CURSOR_QUEUE = 1;
    static final int QUEUE_COUNT = 2;
    static final int MAX_QUEUE_SIZE = 1024;
    /** How long a transport or DS thread waits for the device thread before giving up. */
    static final long WAIT_SECONDS = 10;
    private static final long POLL_MICROS = 1000;

    private static final Logger LOG = LoggerFactory.getLogger(GpuDevice.class);

    /** A fenced command whose response is written and whose chain waits for its fence. */
    private record Pending(DescriptorChain chain, long written) {
    }

    private volatile DeviceConfig config;
    private final OnceLog log = new OnceLog(LOG, "virtio-gpu");
    private final ScheduledThreadPoolExecutor executor;
    private final SinkHub sinks = new SinkHub(log);
    private final CommandProcessor processor;
    private final FenceTimelines<Pending> fences = new FenceTimelines<>();
    private final AtomicBoolean[] kicked = {new AtomicBoolean(), new AtomicBoolean()};
    private final AtomicInteger eventsRead = new AtomicInteger();
    private volatile long deviceFeatures;
    private volatile int numCapsets;
    private volatile Thread deviceThread;

    // device-thread state
    /** A new shape configured while a driver was active, for the next reset; null for none. */
    private DeviceConfig pendingShape;
    private GpuBackendProvider provider;
    private GpuBackend backend;
    private long generation;
    private List<Virtqueue> queues = List.of();
    private Interrupts interrupts;
    private boolean active;
    private ScheduledFuture<?> poller;

    /** A device with no backend yet ({@link #useProvider} opens one). */
    public GpuDevice(DeviceConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "neep-gpu-device");
            t.setDaemon(true);
            deviceThread = t;
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        this.processor = new CommandProcessor(config, log, sinks, this::contextDestroyed);
        this.deviceFeatures = features(null);
    }

    /** The configuration in effect (a new shape waiting for the next reset is not in it yet). */
    public DeviceConfig config() {
        return config;
    }

    /**
     * Takes {@code next} as the configuration while the device runs. Outputs, modes, EDID and
     * the host memory limit are what a driver reads when it initialises the device, so while a
     * driver is active they wait for the next reset; otherwise they apply at once. The backend
     * is not the configuration's business: it is whatever {@link #useProvider} was given.
     */
    public void reconfigure(DeviceConfig next) {
        Objects.requireNonNull(next, "next");
        onDeviceThread(() -> {
            pendingShape = null;
            if (active && !config.equals(next)) {
                pendingShape = next;
                LOG.info("virtio-gpu device: max_outputs={} xres={} yres={} edid={} max_hostmem={} take effect when"
                        + " the driver resets the device", next.maxOutputs(), next.xres(), next.yres(), next.edid(),
                        next.maxHostmem());
                return null;
            }
            config = next;
            processor.reconfigure(next);
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
    public void useProvider(GpuBackendProvider next) throws GpuBackendException {
        GpuBackendException failure = onDeviceThread(() -> {
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
    public void reopen(GpuBackendProvider changed) throws GpuBackendException {
        GpuBackendException failure = onDeviceThread(() -> changed == provider ? swapTo(changed) : null);
        if (failure != null) {
            throw failure;
        }
    }

    /** Drops {@code gone} if it is the provider in use; another provider's removal changes nothing. */
    public void dropProvider(GpuBackendProvider gone) {
        onDeviceThread(() -> gone == provider ? swapTo(null) : null);
    }

    private GpuBackendException swapTo(GpuBackendProvider next) {
        boolean hadBackend = backend != null;
        releaseEverything(true);
        closeBackend();
        provider = next;
        generation++;
        GpuBackendException failure = null;
        if (next == null) {
            processor.useBackend(null, "no backend provider bound");
        } else {
            long gen = generation;
            try {
                backend = next.open(fence -> fenceFromBackend(gen, fence));
                if (backend == null) {
                    throw new GpuBackendException(CtrlType.RESP_ERR_UNSPEC, "provider returned no backend");
                }
                processor.useBackend(backend, null);
                LOG.info("virtio-gpu backend '{}' open: {}, {} capsets", next.kind(), backend.capabilities(),
                        processor.capsetCount());
            } catch (GpuBackendException | RuntimeException e) {
                failure = e instanceof GpuBackendException g ? g
                        : new GpuBackendException(CtrlType.RESP_ERR_UNSPEC, e.getMessage(), e);
                LOG.error("virtio-gpu backend '{}' failed to open: {}", next.kind(), failure.getMessage(), e);
                closeBackend();
                processor.useBackend(null, "backend '" + next.kind() + "' failed to open: " + failure.getMessage());
            }
        }
        deviceFeatures = features(backend == null ? null : backend.capabilities());
        numCapsets = processor.capsetCount();
        if (active) {
            processor.restrictFeatures(deviceFeatures);
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
        long f = VirtioFeatures.bit(VirtioFeatures.VIRTIO_F_VERSION_1)
                | VirtioFeatures.bit(VirtioFeatures.VIRTIO_RING_F_EVENT_IDX)
                | VirtioFeatures.bit(VirtioFeatures.VIRTIO_RING_F_INDIRECT_DESC)
                | GpuFeatures.mask(GpuFeatures.RESOURCE_UUID);
        if (config.edid()) {
            f |= GpuFeatures.mask(GpuFeatures.EDID);
        }
        if (caps != null) {
            if (caps.virgl3d()) {
                f |= GpuFeatures.mask(GpuFeatures.VIRGL);
            }
            if (caps.blob()) {
                f |= GpuFeatures.mask(GpuFeatures.RESOURCE_BLOB);
            }
            if (caps.contextInit()) {
                f |= GpuFeatures.mask(GpuFeatures.CONTEXT_INIT);
            }
        }
        return f;
    }

    // ---- sinks ----

    /** Binds a sink; it gets the current scanouts, a full frame of each and the cursors at once. */
    public void addSink(DisplaySink sink) {
        Objects.requireNonNull(sink, "sink");
        execute(() -> {
            sinks.add(sink);
            processor.replay(sink);
        });
    }

    /** Unbinds a sink; when this returns the device makes no further call on it. */
    public void removeSink(DisplaySink sink) {
        onDeviceThread(() -> {
            sinks.remove(sink);
            return null;
        });
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
        return QUEUE_COUNT;
    }

    @Override
    public int maxQueueSize(int queueIndex) {
        return queueIndex >= 0 && queueIndex < QUEUE_COUNT ? MAX_QUEUE_SIZE : 0;
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
        execute(() -> {
            this.queues = List.copyOf(queues);
            this.interrupts = interrupts;
            processor.activate(memory, driverFeatures & deviceFeatures);
            active = true;
            drain(CONTROL_QUEUE);
            drain(CURSOR_QUEUE);
        });
    }

    @Override
    public void queueNotify(int queueIndex) {
        if (queueIndex < 0 || queueIndex >= QUEUE_COUNT) {
            log.guest("notify", "queue " + queueIndex + " does not exist");
            return;
        }
        if (kicked[queueIndex].compareAndSet(false, true)) {
            execute(() -> {
                kicked[queueIndex].set(false);
                drain(queueIndex);
            });
        }
    }

    @Override
    public void reset() {
        onDeviceThread(() -> {
            doReset();
            return null;
        });
    }

    /** Resets the device, closes the backend and stops the device thread. */
    @Override
    public void close() {
        if (executor.isShutdown()) {
            return;
        }
        onDeviceThread(() -> {
            doReset();
            closeBackend();
            processor.useBackend(null, "device closed");
            provider = null;
            sinks.clearAll();
            return null;
        });
        executor.shutdown();
        try {
            if (!executor.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS)) {
                LOG.error("virtio-gpu device thread did not stop within {} s", WAIT_SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void doReset() {
        releaseEverything(false);
        processor.deactivate();
        queues = List.of();
        interrupts = null;
        active = false;
        eventsRead.set(0);
        if (pendingShape != null) {
            config = pendingShape;
            pendingShape = null;
            processor.reconfigure(config);
            deviceFeatures = features(backend == null ? null : backend.capabilities());
        }
        if (processor.backendTouched() && provider != null) {
            // A fresh instance is the only way to be sure the backend holds nothing of the old
            // guest, and that a late fence of the old instance cannot complete a new command.
            swapTo(provider);
        }
    }

    /**
     * Releases every resource, context, scanout and parked fence. Parked responses are
     * completed when the queues live on (a backend swap: the guest must not wait forever for
     * fences the closed backend will never signal) and dropped on reset.
     */
    private void releaseEverything(boolean completeParked) {
        stopPolling();
        List<Pending> parked = fences.drainAll();
        if (completeParked && active) {
            complete(parked);
        }
        processor.dropState();
    }

    // ---- queues ----

    private void drain(int queueIndex) {
        if (!active) {
            return;
        }
        Virtqueue q = queue(queueIndex);
        if (q == null) {
            return;
        }
        boolean used = false;
        try {
            do {
                q.disableNotifications();
                for (Optional<DescriptorChain> next = q.pop(); next.isPresent(); next = q.pop()) {
                    used |= handle(queueIndex, q, next.get());
                }
            } while (q.enableNotifications());
        } catch (GuestMemoryException | ChainException e) {
            log.guest("queue " + queueIndex + ": ring", e.getMessage());
        } catch (RuntimeException e) {
            log.host("queue " + queueIndex + ": " + e.getClass().getName(), "processing the queue failed", e);
        }
        pollBackend();
        if (used) {
            notifyQueue(queueIndex, q);
        }
        startPollingIfNeeded();
    }

    /** Handles one chain; true when it went to the used ring now (false: parked on a fence). */
    private boolean handle(int queueIndex, Virtqueue q, DescriptorChain chain) {
        if (chain.fault() != null) {
            log.guest("queue " + queueIndex + ": malformed chain", chain.fault());
            q.addUsed(chain, 0);
            return true;
        }
        if (queueIndex == CURSOR_QUEUE) {
            try {
                processor.processCursor(chain.reader());
            } catch (GuestMemoryException | ChainException e) {
                log.guest("cursorq: guest memory", e.getMessage());
            } catch (RuntimeException e) {
                log.host("cursorq: " + e.getClass().getName(), "a cursor command failed", e);
            }
            q.addUsed(chain, 0);
            return true;
        }
        Processed p;
        try {
            p = processor.processControl(chain.reader(), chain.writer());
        } catch (GuestMemoryException | ChainException e) {
            log.guest("controlq: guest memory", e.getMessage());
            q.addUsed(chain, chain.writer().written());
            return true;
        } catch (RuntimeException e) {
            log.host("controlq: " + e.getClass().getName(), "a command failed", e);
            q.addUsed(chain, chain.writer().written());
            return true;
        }
        if (p.parked()) {
            fences.park(p.timeline(), p.fenceId(), new Pending(chain, p.written()));
            return false;
        }
        q.addUsed(chain, p.written());
        return true;
    }

    private Virtqueue queue(int index) {
        return index < queues.size() ? queues.get(index) : null;
    }

    private void notifyQueue(int queueIndex, Virtqueue q) {
        if (interrupts != null && q.needsNotification()) {
            interrupts.signalQueue(queueIndex);
        }
    }

    // ---- fences ----

    /** The backend's FenceListener: any thread, possibly inside a call the device made. */
    private void fenceFromBackend(long gen, Fence fence) {
        try {
            executor.execute(() -> fenceSignalled(gen, fence));
        } catch (RejectedExecutionException e) {
            LOG.debug("fence {} after the device closed", fence);
        }
    }

    private void fenceSignalled(long gen, Fence fence) {
        if (gen != generation || !active) {
            return; // a closed backend instance, or a reset since: nothing of it is parked
        }
        Timeline timeline = Timeline.of(fence.onRing(), fence.ctxId(), fence.ringIdx() & 0xff);
        complete(fences.signal(timeline, fence.fenceId()));
        if (fences.parked() == 0) {
            stopPolling();
        }
    }

    private void contextDestroyed(int ctxId) {
        complete(fences.drainContext(ctxId));
    }

    private void complete(List<Pending> done) {
        Virtqueue q = queue(CONTROL_QUEUE);
        if (done.isEmpty() || q == null) {
            return;
        }
        for (Pending p : done) {
            q.addUsed(p.chain(), p.written());
        }
        notifyQueue(CONTROL_QUEUE, q);
    }

    private void pollBackend() {
        if (backend != null) {
            try {
                backend.poll();
            } catch (RuntimeException e) {
                log.host("backend poll", "poll threw", e);
            }
        }
    }

    private void startPollingIfNeeded() {
        if (poller == null && fences.parked() > 0 && backend != null) {
            poller = executor.scheduleWithFixedDelay(() -> {
                if (fences.parked() == 0) {
                    stopPolling();
                } else {
                    pollBackend();
                }
            }, POLL_MICROS, POLL_MICROS, TimeUnit.MICROSECONDS);
        }
    }

    private void stopPolling() {
        if (poller != null) {
            poller.cancel(false);
            poller = null;
        }
    }

    // ---- display ----

    @Override
    public void setDisplayMode(int output, int width, int height) {
        RuntimeException refused = onDeviceThread(() -> {
            try {
                if (processor.setDisplayMode(output, width, height)) {
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

    private void raiseDisplayEvent() {
        eventsRead.getAndUpdate(v -> v | GpuEvents.EVENT_DISPLAY);
        if (active && interrupts != null) {
            interrupts.signalConfigChange();
        }
    }

    // ---- GpuDeviceInfo ----

    @Override
    public int resourceCount() {
        return query(processor::resourceCount, 0);
    }

    @Override
    public int contextCount() {
        return query(processor::contextCount, 0);
    }

    @Override
    public long hostMemoryUsed() {
        return query(processor::hostmemUsed, 0L);
    }

    @Override
    public long hostMemoryLimit() {
        return config.maxHostmem();
    }

    @Override
    public int parkedFences() {
        return query(fences::parked, 0);
    }

    @Override
    public int sinkCount() {
        return query(sinks::size, 0);
    }

    @Override
    public String backendKind() {
        return query(() -> backend == null || provider == null ? "" : provider.kind(), "");
    }

    @Override
    public boolean active() {
        return query(() -> active, false);
    }

    /** Waits until every task scheduled so far has run (tests, and callers that need a settled device). */
    void awaitIdle() {
        onDeviceThread(() -> null);
    }

    // ---- the device thread ----

    private <T> T query(Callable<T> read, T closedValue) {
        if (executor.isShutdown()) {
            return closedValue;
        }
        return onDeviceThread(read);
    }

    private void execute(Runnable task) {
        try {
            executor.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException | Error e) {
                    log.host("device thread: " + e.getClass().getName(), "a device task failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("virtio-gpu device closed, task dropped");
        }
    }

    /** Runs {@code task} on the device thread and returns its result (inline when already there). */
    private <T> T onDeviceThread(Callable<T> task) {
        if (Thread.currentThread() == deviceThread) {
            try {
                return task.call();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        Future<T> f;
        try {
            f = executor.submit(task);
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("the virtio-gpu device is closed", e);
        }
        try {
            return f.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for the virtio-gpu device thread", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("virtio-gpu device task failed", e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the virtio-gpu device thread did not answer within " + WAIT_SECONDS
                    + " s", e);
        }
    }
}
