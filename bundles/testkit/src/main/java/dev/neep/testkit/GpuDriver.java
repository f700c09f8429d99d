package dev.neep.testkit;

import dev.neep.gpu.protocol.Command;
import dev.neep.gpu.protocol.CtrlFlags;
import dev.neep.gpu.protocol.CtrlHdr;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.CtxCreate;
import dev.neep.gpu.protocol.CtxDestroy;
import dev.neep.gpu.protocol.CtxResource;
import dev.neep.gpu.protocol.CursorPos;
import dev.neep.gpu.protocol.GetCapset;
import dev.neep.gpu.protocol.GetCapsetInfo;
import dev.neep.gpu.protocol.GetDisplayInfo;
import dev.neep.gpu.protocol.GetEdid;
import dev.neep.gpu.protocol.GpuConfig;
import dev.neep.gpu.protocol.GpuFeatures;
import dev.neep.gpu.protocol.MemEntry;
import dev.neep.gpu.protocol.Rect;
import dev.neep.gpu.protocol.Request;
import dev.neep.gpu.protocol.ResourceAssignUuid;
import dev.neep.gpu.protocol.ResourceAttachBacking;
import dev.neep.gpu.protocol.ResourceCreate2d;
import dev.neep.gpu.protocol.ResourceCreateBlob;
import dev.neep.gpu.protocol.ResourceDetachBacking;
import dev.neep.gpu.protocol.ResourceFlush;
import dev.neep.gpu.protocol.ResourceMapBlob;
import dev.neep.gpu.protocol.ResourceUnmapBlob;
import dev.neep.gpu.protocol.ResourceUnref;
import dev.neep.gpu.protocol.RespCapset;
import dev.neep.gpu.protocol.RespCapsetInfo;
import dev.neep.gpu.protocol.RespDisplayInfo;
import dev.neep.gpu.protocol.RespEdid;
import dev.neep.gpu.protocol.RespMapInfo;
import dev.neep.gpu.protocol.RespResourceUuid;
import dev.neep.gpu.protocol.Response;
import dev.neep.gpu.protocol.SetScanout;
import dev.neep.gpu.protocol.SetScanoutBlob;
import dev.neep.gpu.protocol.Submit3d;
import dev.neep.gpu.protocol.TransferToHost2d;
import dev.neep.gpu.protocol.UpdateCursor;
import dev.neep.virtio.GuestMemories;
import dev.neep.virtio.GuestMemory;
import dev.neep.virtio.Interrupts;
import dev.neep.virtio.VirtioDevice;
import dev.neep.virtio.VirtioFeatures;
import dev.neep.virtio.Virtqueue;
import dev.neep.virtio.driver.DriverQueue;
import dev.neep.virtio.driver.GuestAllocator;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A virtio-gpu driver on the guest side, in Java: it does to a {@link VirtioDevice} what a
 * transport and the Linux virtio-gpu driver do together. {@link #start} lays out the control
 * and cursor queues in guest memory, negotiates VERSION_1, EVENT_IDX and the GPU features
 * asked for, and activates the device with an {@link Interrupts} of its own. Commands then go
 * out as descriptor chains (fixed part, trailing parts, response buffer), the driver kicks
 * when the device asks to be kicked, and waits, bounded, for the answer.
 *
 * <p>Like an interrupt-driven driver, it looks at a used ring only after the device signalled
 * that queue (unless {@link Options#requireInterrupts()} is off), so a device that forgets an
 * interrupt fails a test with a message saying so. Fences are signalled, as in Linux, by the
 * {@code fence_id} of fenced responses, per timeline: the global one, or ({@code ctx_id},
 * {@code ring_idx}) for requests with FLAG_INFO_RING_IDX.
 *
 * <p>Typed methods answer with the decoded response: the response header for commands whose
 * success is RESP_OK_NODATA (so a test can assert an error type), the response struct for the
 * others (throwing {@link GpuCommandException} on an error answer). {@link #submit} is the
 * asynchronous form for any request, fenced or not; {@link #submitRaw} sends arbitrary bytes.
 *
 * <p>Thread-safe. Waiting happens on the caller's thread; the device's threads only count
 * interrupts and wake waiters.
 */
public final class GpuDriver implements AutoCloseable {
    public static final int CONTROL_QUEUE = 0;
    public static final int CURSOR_QUEUE = 1;
    /** The virtio device id of a GPU. */
    public static final int DEVICE_ID_GPU = 16;

    // The largest fixed part of any request is CTX_CREATE's 96 bytes.
    private static final int MAX_FIXED_PART = 128;

    /**
     * How the driver sets itself up.
     *
     * @param gpuFeatures       mask of VIRTIO_GPU_F_* bits ({@link GpuFeatures#mask}) to accept when offered
     * @param eventIdx          negotiate VIRTIO_RING_F_EVENT_IDX when offered
     * @param queueSize         wanted size of each queue (a power of two; lowered to the device's maximum)
     * @param backingChunk      bytes per guest memory run of a {@link Backing} (a multiple of 4096)
     * @param timeout           bound of every wait
     * @param requireInterrupts look at a used ring only after an interrupt for it, as Linux does;
     *                          off, the driver also polls every few milliseconds
     */
    public record Options(long gpuFeatures, boolean eventIdx, int queueSize, long backingChunk, Duration timeout,
            boolean requireInterrupts) {

        public Options {
            if (queueSize < 1 || queueSize > Virtqueue.MAX_SIZE || Integer.bitCount(queueSize) != 1) {
                throw new IllegalArgumentException("queueSize " + queueSize + " is not a power of two in 1.."
                        + Virtqueue.MAX_SIZE);
            }
            if (backingChunk <= 0 || backingChunk % Backing.PAGE != 0) {
                throw new IllegalArgumentException("backingChunk " + backingChunk + " is not a positive multiple of "
                        + Backing.PAGE);
            }
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout " + timeout + " is not positive");
            }
        }

        /** Every GPU feature, EVENT_IDX, queues of 256, 64 KiB runs, 10 s waits, interrupts required. */
        public static Options defaults() {
            long all = GpuFeatures.mask(GpuFeatures.VIRGL) | GpuFeatures.mask(GpuFeatures.EDID)
                    | GpuFeatures.mask(GpuFeatures.RESOURCE_UUID) | GpuFeatures.mask(GpuFeatures.RESOURCE_BLOB)
                    | GpuFeatures.mask(GpuFeatures.CONTEXT_INIT);
            return new Options(all, true, 256, 64 * 1024, Duration.ofSeconds(10), true);
        }

        public Options withGpuFeatures(long mask) {
            return new Options(mask, eventIdx, queueSize, backingChunk, timeout, requireInterrupts);
        }

        public Options withEventIdx(boolean on) {
            return new Options(gpuFeatures, on, queueSize, backingChunk, timeout, requireInterrupts);
        }

        public Options withQueueSize(int size) {
            return new Options(gpuFeatures, eventIdx, size, backingChunk, timeout, requireInterrupts);
        }

        public Options withBackingChunk(long bytes) {
            return new Options(gpuFeatures, eventIdx, queueSize, bytes, timeout, requireInterrupts);
        }

        public Options withTimeout(Duration bound) {
            return new Options(gpuFeatures, eventIdx, queueSize, backingChunk, bound, requireInterrupts);
        }

        public Options withRequireInterrupts(boolean on) {
            return new Options(gpuFeatures, eventIdx, queueSize, backingChunk, timeout, on);
        }
    }

    /**
     * What {@link #drawPattern} or {@link #drawImage} left on the device: a B8G8R8X8 resource
     * on a scanout, and the guest pages backing it.
     */
    public record PatternResource(int resourceId, int scanoutId, int width, int height, Backing backing) {
    }

    private final VirtioDevice device;
    private final GuestMemory memory;
    private final GuestAllocator allocator;
    private final Options options;
    private final long features;
    // Rings, interrupts, waiting and fences; this class keeps the GPU commands.
    private final DriverTransport transport;
    private final AtomicLong lastFenceId = new AtomicLong();
    private final AtomicInteger lastResourceId = new AtomicInteger();
    private final AtomicInteger lastContextId = new AtomicInteger();

    private GpuDriver(VirtioDevice device, GuestMemory memory, GuestAllocator allocator, Options options,
            long features) {
        this.device = device;
        this.memory = memory;
        this.allocator = allocator;
        this.options = options;
        this.features = features;
        this.transport = new DriverTransport(device, memory, allocator, options);
    }

    /** Where {@link #start(VirtioDevice)} puts its guest memory, and how much (64 MiB: a 1920x1080 frame and more). */
    public static final long DEFAULT_MEMORY_BASE = 0x1000_0000L;
    public static final int DEFAULT_MEMORY_SIZE = 64 << 20;

    /**
     * A driver for {@code device} in one call: {@link #DEFAULT_MEMORY_SIZE} bytes of zeroed
     * heap guest memory at {@link #DEFAULT_MEMORY_BASE}, its own allocator, and
     * {@link Options#defaults()}. For memory the device must share with a VMM or another
     * process, use {@link #start(VirtioDevice, GuestMemory, GuestAllocator, Options)}.
     *
     * @throws IllegalStateException as {@link #start(VirtioDevice, GuestMemory, GuestAllocator, Options)}
     */
    public static GpuDriver start(VirtioDevice device) {
        return start(device, GuestMemories.heap(DEFAULT_MEMORY_BASE, DEFAULT_MEMORY_SIZE),
                new GuestAllocator(DEFAULT_MEMORY_BASE, DEFAULT_MEMORY_SIZE), Options.defaults());
    }

    /**
     * Sets up the queues in {@code memory}, placing rings, requests and backing pages with
     * {@code allocator}, negotiates features and activates {@code device}.
     *
     * @throws IllegalStateException when the device is not a GPU, lacks VERSION_1 or a queue,
     *                               or refuses the queues laid out for it
     */
    public static GpuDriver start(VirtioDevice device, GuestMemory memory, GuestAllocator allocator,
            Options options) {
        if (device.deviceId() != DEVICE_ID_GPU) {
            throw new IllegalStateException("device id " + device.deviceId() + " is not a GPU (" + DEVICE_ID_GPU + ")");
        }
        if (device.queueCount() < 2) {
            throw new IllegalStateException("a GPU has a control and a cursor queue, the device has "
                    + device.queueCount());
        }
        long offered = device.deviceFeatures();
        if (!VirtioFeatures.has(offered, VirtioFeatures.VIRTIO_F_VERSION_1)) {
            throw new IllegalStateException(String.format("device features 0x%x lack VIRTIO_F_VERSION_1", offered));
        }
        // Device-specific feature bits are 0..23 (virtio 1.2 §6).
        long wanted = VirtioFeatures.bit(VirtioFeatures.VIRTIO_F_VERSION_1)
                | (options.eventIdx() ? VirtioFeatures.bit(VirtioFeatures.VIRTIO_RING_F_EVENT_IDX) : 0)
                | (options.gpuFeatures() & 0xffffffL);
        GpuDriver driver = new GpuDriver(device, memory, allocator, options, offered & wanted);
        driver.transport.activate(driver.features);
        return driver;
    }

    // ---- features, configuration, interrupts ----

    /** The negotiated feature bits (transport and GPU). */
    public long features() {
        return features;
    }

    /** Whether VIRTIO_GPU_F_{@code bit} was negotiated. */
    public boolean hasGpuFeature(int bit) {
        return GpuFeatures.has(features, bit);
    }

    public Options options() {
        return options;
    }

    public GuestMemory memory() {
        return memory;
    }

    /** The driver-side view of queue {@code index}, for tests that inspect or bend the rings. */
    public DriverQueue queue(int index) {
        return transport.queue(index);
    }

    /** The device configuration space as it reads now. */
    public GpuConfig config() {
        byte[] bytes = new byte[GpuConfig.SIZE];
        device.readConfig(0, bytes);
        return GpuConfig.decode(ByteBuffer.wrap(bytes)).value();
    }

    /** Acknowledges {@code events} (GpuEvents bits) by writing them to {@code events_clear}. */
    public void clearEvents(int events) {
        byte[] bytes = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(events).array();
        device.writeConfig(GpuConfig.OFFSET_EVENTS_CLEAR, bytes);
    }

    public int queueInterrupts(int queueIndex) {
        return transport.queueInterrupts(queueIndex);
    }

    public int configInterrupts() {
        return transport.configInterrupts();
    }

    /** Waits until at least {@code count} configuration-change interrupts have come. */
    public void awaitConfigInterrupts(int count) {
        transport.awaitConfigInterrupts(count);
    }

    // ---- ids and headers ----

    /** A fresh resource id (1, 2, ...), as Linux allocates them. */
    public int newResourceId() {
        return lastResourceId.incrementAndGet();
    }

    /** A fresh context id (1, 2, ...). */
    public int newContextId() {
        return lastContextId.incrementAndGet();
    }

    /** An unfenced header for {@code type} in context {@code ctxId} (0 for 2D commands). */
    public CtrlHdr header(int type, int ctxId) {
        return new CtrlHdr(type, 0, 0, ctxId, 0);
    }

    /** A header with FLAG_FENCE and the next fence id, on the global timeline. */
    public CtrlHdr fencedHeader(int type, int ctxId) {
        return new CtrlHdr(type, CtrlFlags.FLAG_FENCE, lastFenceId.incrementAndGet(), ctxId, 0);
    }

    /** A header with FLAG_FENCE | FLAG_INFO_RING_IDX and the next fence id, on ring {@code ringIdx} of the context. */
    public CtrlHdr fencedHeader(int type, int ctxId, int ringIdx) {
        return new CtrlHdr(type, CtrlFlags.FLAG_FENCE | CtrlFlags.FLAG_INFO_RING_IDX, lastFenceId.incrementAndGet(),
                ctxId, ringIdx);
    }

    // ---- sending ----

    /** Sends {@code request} (and its trailing parts) with a response buffer of the size its answer has. */
    public PendingCommand submit(Request request, ByteBuffer... trailing) {
        return submit(request, responseSize(request), trailing);
    }

    /**
     * Sends {@code request} as one chain: its fixed part, each non-empty trailing buffer as a
     * further readable descriptor, then a writable response buffer of {@code responseLength}
     * bytes (none when 0). Cursor commands go to the cursor queue, the rest to the control queue.
     */
    public PendingCommand submit(Request request, long responseLength, ByteBuffer... trailing) {
        ByteBuffer fixed = ByteBuffer.allocate(MAX_FIXED_PART);
        request.encode(fixed);
        List<ByteBuffer> parts = new ArrayList<>();
        parts.add(fixed.flip());
        for (ByteBuffer t : trailing) {
            if (t.hasRemaining()) {
                parts.add(t.duplicate());
            }
        }
        boolean cursor = Command.of(request.hdr().type()).map(c -> c.queue() == Command.Queue.CURSOR).orElse(false);
        int queue = cursor ? CURSOR_QUEUE : CONTROL_QUEUE;
        return transport.send(queue, request, CtrlType.name(request.hdr().type()), parts, responseLength);
    }

    /**
     * Sends arbitrary bytes as the readable part of a chain on {@code queue}, for tests of what
     * a device does with malformed requests.
     */
    public PendingCommand submitRaw(int queue, List<ByteBuffer> readable, long responseLength) {
        long total = readable.stream().mapToLong(ByteBuffer::remaining).sum();
        return transport.send(queue, null, "raw request of " + total + " bytes", readable, responseLength);
    }

    /** Bytes of the answer each command has (Linux sizes its response buffers the same way). */
    public static long responseSize(Request request) {
        switch (request.hdr().type()) {
            case CtrlType.CMD_GET_DISPLAY_INFO: return RespDisplayInfo.SIZE;
            case CtrlType.CMD_GET_CAPSET_INFO: return RespCapsetInfo.SIZE;
            case CtrlType.CMD_GET_EDID: return RespEdid.SIZE;
            case CtrlType.CMD_RESOURCE_ASSIGN_UUID: return RespResourceUuid.SIZE;
            case CtrlType.CMD_RESOURCE_MAP_BLOB: return RespMapInfo.SIZE;
            case CtrlType.CMD_UPDATE_CURSOR:
            case CtrlType.CMD_MOVE_CURSOR: return 0;
            default: return CtrlHdr.SIZE;
        }
    }

    /** Sends and waits; the answer's header (RESP_OK_NODATA or an error). */
    public CtrlHdr command(Request request, ByteBuffer... trailing) {
        return submit(request, trailing).await().hdr();
    }

    private <T extends Response> T expect(Class<T> type, int okType, Request request, long responseLength,
            ByteBuffer... trailing) {
        PendingCommand command = submit(request, responseLength, trailing);
        Response response = command.await();
        if (!type.isInstance(response) || response.hdr().type() != okType) {
            throw new GpuCommandException(command.describe(), response.hdr().type(),
                    "answered " + CtrlType.name(response.hdr().type()) + ", expected " + CtrlType.name(okType));
        }
        return type.cast(response);
    }

    // ---- 2D commands ----

    public RespDisplayInfo getDisplayInfo() {
        GetDisplayInfo request = new GetDisplayInfo(header(CtrlType.CMD_GET_DISPLAY_INFO, 0));
        return expect(RespDisplayInfo.class, CtrlType.RESP_OK_DISPLAY_INFO, request, RespDisplayInfo.SIZE);
    }

    public CtrlHdr resourceCreate2d(int resourceId, int format, int width, int height) {
        return command(new ResourceCreate2d(header(CtrlType.CMD_RESOURCE_CREATE_2D, 0), resourceId, format, width,
                height));
    }

    public CtrlHdr resourceUnref(int resourceId) {
        return command(new ResourceUnref(header(CtrlType.CMD_RESOURCE_UNREF, 0), resourceId));
    }

    /**
     * Allocates guest pages for {@code length} bytes in runs of at most
     * {@link Options#backingChunk()} bytes, each page-aligned, zeroed.
     */
    public Backing allocateBacking(long length) {
        return Backing.allocate(memory, allocator, length, options.backingChunk());
    }

    /** RESOURCE_ATTACH_BACKING: the fixed part, then the entries as a second readable buffer, as Linux sends them. */
    public CtrlHdr attachBacking(int resourceId, Backing backing) {
        ResourceAttachBacking request = new ResourceAttachBacking(header(CtrlType.CMD_RESOURCE_ATTACH_BACKING, 0),
                resourceId, backing.entries().size());
        return command(request, entriesBuffer(backing));
    }

    private static ByteBuffer entriesBuffer(Backing backing) {
        ByteBuffer entries = ByteBuffer.allocate(backing.entries().size() * MemEntry.SIZE);
        MemEntry.encodeAll(backing.entries(), entries);
        return entries.flip();
    }

    public CtrlHdr detachBacking(int resourceId) {
        return command(new ResourceDetachBacking(header(CtrlType.CMD_RESOURCE_DETACH_BACKING, 0), resourceId));
    }

    public CtrlHdr setScanout(int scanoutId, int resourceId, Rect r) {
        return command(new SetScanout(header(CtrlType.CMD_SET_SCANOUT, 0), r, scanoutId, resourceId));
    }

    public CtrlHdr transferToHost2d(int resourceId, Rect r, long offset) {
        return command(new TransferToHost2d(header(CtrlType.CMD_TRANSFER_TO_HOST_2D, 0), r, offset, resourceId));
    }

    public CtrlHdr resourceFlush(int resourceId, Rect r) {
        return command(new ResourceFlush(header(CtrlType.CMD_RESOURCE_FLUSH, 0), r, resourceId));
    }

    /**
     * What the Linux driver does to show a framebuffer: RESOURCE_CREATE_2D in B8G8R8X8,
     * ATTACH_BACKING of guest pages holding {@link TestPattern}, SET_SCANOUT,
     * TRANSFER_TO_HOST_2D and RESOURCE_FLUSH of the whole image.
     *
     * @throws GpuCommandException when a step is not answered RESP_OK_NODATA
     */
    public PatternResource drawPattern(int width, int height) {
        return drawPattern(0, width, height);
    }

    /** {@link #drawPattern(int, int)} on scanout {@code scanoutId}. */
    public PatternResource drawPattern(int scanoutId, int width, int height) {
        return ImageDrawer.draw(this, scanoutId, width, height, y -> TestPattern.row(y, width, height));
    }

    /**
     * Shows an image of the caller's on scanout {@code scanoutId}, the way {@link #drawPattern}
     * shows the test pattern: a new B8G8R8X8 resource of {@code width} x {@code height} whose
     * pixels are {@code argb} (row-major, {@code width * height} values, 0xAARRGGBB; the X
     * channel drops alpha), set on the scanout, transferred and flushed whole. A sink then sees
     * each pixel as {@code argb} with alpha 0xff.
     *
     * @return what was left on the device: the resource, and the guest pages behind it
     * @throws IllegalArgumentException when {@code argb} does not hold {@code width * height} pixels
     * @throws GpuCommandException      when a step is not answered RESP_OK_NODATA
     */
    public PatternResource drawImage(int scanoutId, int width, int height, int[] argb) {
        if (width <= 0 || height <= 0 || argb.length != (long) width * height) {
            throw new IllegalArgumentException("an image of " + width + "x" + height + " has " + (long) width * height
                    + " pixels, not " + argb.length);
        }
        return ImageDrawer.draw(this, scanoutId, width, height,
                y -> Arrays.copyOfRange(argb, y * width, (y + 1) * width));
    }

    // ---- capsets, EDID, UUID ----

    public RespCapsetInfo getCapsetInfo(int capsetIndex) {
        GetCapsetInfo request = new GetCapsetInfo(header(CtrlType.CMD_GET_CAPSET_INFO, 0), capsetIndex);
        return expect(RespCapsetInfo.class, CtrlType.RESP_OK_CAPSET_INFO, request, RespCapsetInfo.SIZE);
    }

    /** GET_CAPSET with room for {@code maxSize} bytes of capset (RespCapsetInfo.capsetMaxSize). */
    public RespCapset getCapset(int capsetId, int version, int maxSize) {
        GetCapset request = new GetCapset(header(CtrlType.CMD_GET_CAPSET, 0), capsetId, version);
        return expect(RespCapset.class, CtrlType.RESP_OK_CAPSET, request,
                Math.addExact((long) RespCapset.SIZE, Integer.toUnsignedLong(maxSize)));
    }

    public RespEdid getEdid(int scanout) {
        GetEdid request = new GetEdid(header(CtrlType.CMD_GET_EDID, 0), scanout);
        return expect(RespEdid.class, CtrlType.RESP_OK_EDID, request, RespEdid.SIZE);
    }

    public RespResourceUuid assignUuid(int resourceId) {
        ResourceAssignUuid request = new ResourceAssignUuid(header(CtrlType.CMD_RESOURCE_ASSIGN_UUID, 0), resourceId);
        return expect(RespResourceUuid.class, CtrlType.RESP_OK_RESOURCE_UUID, request, RespResourceUuid.SIZE);
    }

    // ---- 3D commands ----

    /** CTX_CREATE; {@code contextInit} carries the capset id with CONTEXT_INIT, 0 otherwise. */
    public CtrlHdr ctxCreate(int ctxId, int contextInit, String debugName) {
        return command(CtxCreate.of(header(CtrlType.CMD_CTX_CREATE, ctxId), contextInit, debugName));
    }

    public CtrlHdr ctxDestroy(int ctxId) {
        return command(new CtxDestroy(header(CtrlType.CMD_CTX_DESTROY, ctxId)));
    }

    public CtrlHdr ctxAttachResource(int ctxId, int resourceId) {
        return command(new CtxResource(header(CtrlType.CMD_CTX_ATTACH_RESOURCE, ctxId), resourceId));
    }

    public CtrlHdr ctxDetachResource(int ctxId, int resourceId) {
        return command(new CtxResource(header(CtrlType.CMD_CTX_DETACH_RESOURCE, ctxId), resourceId));
    }

    /** SUBMIT_3D of {@code commands} (its remaining bytes) in context {@code ctxId}, unfenced. */
    public CtrlHdr submit3d(int ctxId, ByteBuffer commands) {
        return command(new Submit3d(header(CtrlType.CMD_SUBMIT_3D, ctxId), commands.remaining()), commands);
    }

    /**
     * SUBMIT_3D with a fence: on the global timeline when {@code ringIdx} is negative, else on
     * ring {@code ringIdx} of the context (FLAG_INFO_RING_IDX). The answer may come only when
     * the fence completes; {@link #awaitFence} waits for it.
     */
    public PendingCommand submit3dFenced(int ctxId, int ringIdx, ByteBuffer commands) {
        CtrlHdr hdr = ringIdx < 0 ? fencedHeader(CtrlType.CMD_SUBMIT_3D, ctxId)
                : fencedHeader(CtrlType.CMD_SUBMIT_3D, ctxId, ringIdx);
        return submit(new Submit3d(hdr, commands.remaining()), commands);
    }

    // ---- blobs ----

    /**
     * RESOURCE_CREATE_BLOB; {@code backing} (may be null for host-only blobs) is sent as the
     * trailing entries.
     */
    public CtrlHdr createBlob(int ctxId, int resourceId, int blobMem, int blobFlags, long blobId, long size,
            Backing backing) {
        int entries = backing == null ? 0 : backing.entries().size();
        ResourceCreateBlob request = new ResourceCreateBlob(header(CtrlType.CMD_RESOURCE_CREATE_BLOB, ctxId),
                resourceId, blobMem, blobFlags, entries, blobId, size);
        return backing == null ? command(request) : command(request, entriesBuffer(backing));
    }

    /** SET_SCANOUT_BLOB of a single-plane image. */
    public CtrlHdr setScanoutBlob(int scanoutId, int resourceId, Rect r, int width, int height, int format,
            int stride, int offset) {
        return command(new SetScanoutBlob(header(CtrlType.CMD_SET_SCANOUT_BLOB, 0), r, scanoutId, resourceId, width,
                height, format, List.of(stride, 0, 0, 0), List.of(offset, 0, 0, 0)));
    }

    public RespMapInfo mapBlob(int resourceId, long offset) {
        ResourceMapBlob request = new ResourceMapBlob(header(CtrlType.CMD_RESOURCE_MAP_BLOB, 0), resourceId, offset);
        return expect(RespMapInfo.class, CtrlType.RESP_OK_MAP_INFO, request, RespMapInfo.SIZE);
    }

    public CtrlHdr unmapBlob(int resourceId) {
        return command(new ResourceUnmapBlob(header(CtrlType.CMD_RESOURCE_UNMAP_BLOB, 0), resourceId));
    }

    // ---- cursor ----

    /** UPDATE_CURSOR on the cursor queue; returns once the device gave the chain back (no response). */
    public void updateCursor(int scanoutId, int x, int y, int resourceId, int hotX, int hotY) {
        submit(new UpdateCursor(header(CtrlType.CMD_UPDATE_CURSOR, 0), new CursorPos(scanoutId, x, y), resourceId,
                hotX, hotY)).awaitUsed();
    }

    /** MOVE_CURSOR on the cursor queue; returns once the device gave the chain back. */
    public void moveCursor(int scanoutId, int x, int y) {
        submit(new UpdateCursor(header(CtrlType.CMD_MOVE_CURSOR, 0), new CursorPos(scanoutId, x, y), 0, 0, 0))
                .awaitUsed();
    }

    // ---- fences, waiting, diagnostics ----

    /** The highest fence id answered on the global timeline, 0 before any. */
    public long signalledFence() {
        return transport.signalledFence();
    }

    /** The highest fence id answered on ring {@code ringIdx} of context {@code ctxId}, 0 before any. */
    public long signalledFence(int ctxId, int ringIdx) {
        return transport.signalledFence(ctxId, ringIdx);
    }

    /** Waits until the global timeline reached {@code fenceId}. */
    public void awaitFence(long fenceId) {
        transport.awaitFence(fenceId);
    }

    /** Waits until ring {@code ringIdx} of context {@code ctxId} reached {@code fenceId}. */
    public void awaitFence(int ctxId, int ringIdx, long fenceId) {
        transport.awaitFence(ctxId, ringIdx, fenceId);
    }

    /** What the driver sees now: ring indices, outstanding chains, interrupts, fences, last completions. */
    public String report() {
        return transport.report();
    }

    /** Resets the device (releasing everything it holds) and gives the ring memory back. */
    @Override
    public void close() {
        transport.close();
    }
}
