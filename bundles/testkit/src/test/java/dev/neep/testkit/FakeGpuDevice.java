package dev.neep.testkit;

import dev.neep.gpu.protocol.CapsetIds;
import dev.neep.gpu.protocol.Command;
import dev.neep.gpu.protocol.CtrlHdr;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.Decoded;
import dev.neep.gpu.protocol.DisplayOne;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.GetCapsetInfo;
import dev.neep.gpu.protocol.GpuConfig;
import dev.neep.gpu.protocol.GpuFeatures;
import dev.neep.gpu.protocol.MemEntry;
import dev.neep.gpu.protocol.Rect;
import dev.neep.gpu.protocol.Request;
import dev.neep.gpu.protocol.ResourceAttachBacking;
import dev.neep.gpu.protocol.ResourceCreate2d;
import dev.neep.gpu.protocol.RespCapset;
import dev.neep.gpu.protocol.RespCapsetInfo;
import dev.neep.gpu.protocol.RespDisplayInfo;
import dev.neep.gpu.protocol.RespEdid;
import dev.neep.gpu.protocol.RespMapInfo;
import dev.neep.gpu.protocol.RespNoData;
import dev.neep.gpu.protocol.RespResourceUuid;
import dev.neep.gpu.protocol.Response;
import dev.neep.gpu.protocol.Submit3d;
import dev.neep.gpu.protocol.TransferToHost2d;
import dev.neep.virtio.DescriptorChain;
import dev.neep.virtio.GuestMemory;
import dev.neep.virtio.Interrupts;
import dev.neep.virtio.VirtioDevice;
import dev.neep.virtio.VirtioFeatures;
import dev.neep.virtio.Virtqueue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Just enough of a virtio-gpu device to test the driver's plumbing: it serves the queues on
 * a thread of its own through the real {@link Virtqueue}, answers each command plausibly and
 * keeps what it saw. Not a model of a real device: a transfer copies the whole backing.
 */
final class FakeGpuDevice implements VirtioDevice {
    static final long GPU_FEATURES = GpuFeatures.mask(GpuFeatures.VIRGL) | GpuFeatures.mask(GpuFeatures.EDID)
            | GpuFeatures.mask(GpuFeatures.RESOURCE_UUID) | GpuFeatures.mask(GpuFeatures.RESOURCE_BLOB)
            | GpuFeatures.mask(GpuFeatures.CONTEXT_INIT);
    static final UUID UUID_ANSWER = UUID.fromString("12345678-9abc-def0-1234-56789abcdef0");

    record Resource(int width, int height, int format, List<MemEntry> entries, int[] pixels) {
    }

    private record Held(int queue, DescriptorChain chain, Response response) {
    }

    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fake-gpu");
        t.setDaemon(true);
        return t;
    });

    volatile long offeredFeatures = VirtioFeatures.bit(VirtioFeatures.VIRTIO_F_VERSION_1)
            | VirtioFeatures.bit(VirtioFeatures.VIRTIO_RING_F_EVENT_IDX) | GPU_FEATURES;
    volatile boolean interruptsMuted;
    volatile boolean holdFencedSubmits;
    volatile long driverFeatures = -1;
    volatile int resets;
    volatile GpuConfig config = new GpuConfig(0, 0, 1, 1);

    final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    final List<Request> cursor = Collections.synchronizedList(new ArrayList<>());
    final Map<Integer, Resource> resources = Collections.synchronizedMap(new HashMap<>());
    final List<byte[]> submitted = Collections.synchronizedList(new ArrayList<>());
    private final List<Held> held = new ArrayList<>();

    private GuestMemory memory;
    private List<Virtqueue> queues;
    private Interrupts interrupts;

    @Override
    public int deviceId() {
        return GpuDriver.DEVICE_ID_GPU;
    }

    @Override
    public long deviceFeatures() {
        return offeredFeatures;
    }

    @Override
    public int queueCount() {
        return 2;
    }

    @Override
    public int maxQueueSize(int queueIndex) {
        return 64;
    }

    @Override
    public int configSize() {
        return GpuConfig.SIZE;
    }

    @Override
    public void readConfig(int offset, byte[] dst) {
        byte[] bytes = config.toBytes();
        for (int i = 0; i < dst.length; i++) {
            dst[i] = offset + i < bytes.length ? bytes[offset + i] : 0;
        }
    }

    @Override
    public void writeConfig(int offset, byte[] src) {
        if (offset == GpuConfig.OFFSET_EVENTS_CLEAR && src.length == 4) {
            int clear = ByteBuffer.wrap(src).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
            GpuConfig c = config;
            config = new GpuConfig(c.eventsRead() & ~clear, 0, c.numScanouts(), c.numCapsets());
        }
    }

    /** Raises a display event as a hot-plug would. */
    void displayChanged() {
        GpuConfig c = config;
        config = new GpuConfig(c.eventsRead() | 1, c.eventsClear(), c.numScanouts(), c.numCapsets());
        interrupts.signalConfigChange();
    }

    @Override
    public void activate(long features, GuestMemory memory, List<Virtqueue> queues, Interrupts interrupts) {
        this.driverFeatures = features;
        this.memory = memory;
        this.queues = queues;
        this.interrupts = interrupts;
    }

    @Override
    public void queueNotify(int queueIndex) {
        worker.execute(() -> serve(queueIndex));
    }

    /** Answers the fenced submits held back so far, in order. */
    void releaseHeld() {
        worker.execute(() -> {
            for (Held h : held) {
                respond(h.queue(), h.chain(), h.response());
            }
            held.clear();
            signal(GpuDriver.CONTROL_QUEUE);
        });
    }

    @Override
    public void reset() {
        resets++;
        queues = null;
    }

    void shutdown() throws InterruptedException {
        worker.shutdownNow();
        worker.awaitTermination(5, TimeUnit.SECONDS);
    }

    private void serve(int q) {
        if (queues == null) {
            return;
        }
        Virtqueue vq = queues.get(q);
        for (Optional<DescriptorChain> c = vq.pop(); c.isPresent(); c = vq.pop()) {
            handle(q, c.get());
        }
        signal(q);
    }

    private void signal(int q) {
        if (queues.get(q).needsNotification() && !interruptsMuted) {
            interrupts.signalQueue(q);
        }
    }

    private void handle(int q, DescriptorChain chain) {
        if (chain.fault() != null) {
            queues.get(q).addUsed(chain, 0);
            return;
        }
        ByteBuffer bytes = chain.reader().readBuffer((int) chain.readableLength());
        Decoded<Request> decoded = Command.decode(bytes);
        if (!decoded.isOk()) {
            respond(q, chain, new RespNoData(CtrlHdr.of(CtrlType.RESP_ERR_UNSPEC)));
            return;
        }
        Request request = decoded.value();
        if (q == GpuDriver.CURSOR_QUEUE) {
            cursor.add(request);
            queues.get(q).addUsed(chain, 0);
            return;
        }
        requests.add(request);
        Response response = answer(request, bytes);
        if (holdFencedSubmits && request instanceof Submit3d && request.hdr().isFenced()) {
            held.add(new Held(q, chain, response));
        } else {
            respond(q, chain, response);
        }
    }

    private void respond(int q, DescriptorChain chain, Response response) {
        ByteBuffer out = ByteBuffer.allocate(4096);
        response.encode(out);
        chain.writer().write(out.flip());
        queues.get(q).addUsed(chain, chain.writer().written());
    }

    private Response answer(Request request, ByteBuffer trailing) {
        CtrlHdr hdr = request.hdr();
        switch (hdr.type()) {
            case CtrlType.CMD_GET_DISPLAY_INFO:
                return RespDisplayInfo.of(hdr.responseHeader(CtrlType.RESP_OK_DISPLAY_INFO),
                        List.of(new DisplayOne(new Rect(0, 0, 1024, 768), 1, 0)));
            case CtrlType.CMD_RESOURCE_CREATE_2D: {
                ResourceCreate2d c = (ResourceCreate2d) request;
                if (!Formats.isSupported2d(c.format())) {
                    return error(hdr, CtrlType.RESP_ERR_INVALID_PARAMETER);
                }
                resources.put(c.resourceId(), new Resource(c.width(), c.height(), c.format(), List.of(),
                        new int[c.width() * c.height()]));
                return ok(hdr);
            }
            case CtrlType.CMD_RESOURCE_ATTACH_BACKING: {
                ResourceAttachBacking a = (ResourceAttachBacking) request;
                Resource r = resources.get(a.resourceId());
                Decoded<List<MemEntry>> entries = MemEntry.decodeAll(trailing, a.nrEntries());
                if (r == null || !entries.isOk()) {
                    return error(hdr, r == null ? CtrlType.RESP_ERR_INVALID_RESOURCE_ID
                            : CtrlType.RESP_ERR_INVALID_PARAMETER);
                }
                resources.put(a.resourceId(), new Resource(r.width(), r.height(), r.format(), entries.value(),
                        r.pixels()));
                return ok(hdr);
            }
            case CtrlType.CMD_TRANSFER_TO_HOST_2D: {
                Resource r = resources.get(((TransferToHost2d) request).resourceId());
                if (r == null) {
                    return error(hdr, CtrlType.RESP_ERR_INVALID_RESOURCE_ID);
                }
                ByteBuffer linear = ByteBuffer.allocate(r.width() * r.height() * 4);
                for (MemEntry e : r.entries()) {
                    int n = (int) Math.min(e.lengthUnsigned(), linear.remaining());
                    memory.read(e.addr(), linear.slice(linear.position(), n));
                    linear.position(linear.position() + n);
                }
                Formats.toArgb(r.format(), linear, 0, r.pixels(), 0, r.width() * r.height());
                return ok(hdr);
            }
            case CtrlType.CMD_GET_CAPSET_INFO:
                if (((GetCapsetInfo) request).capsetIndex() != 0) {
                    return error(hdr, CtrlType.RESP_ERR_INVALID_PARAMETER);
                }
                return new RespCapsetInfo(hdr.responseHeader(CtrlType.RESP_OK_CAPSET_INFO), CapsetIds.VIRGL2, 2, 8);
            case CtrlType.CMD_GET_CAPSET:
                return new RespCapset(hdr.responseHeader(CtrlType.RESP_OK_CAPSET), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
            case CtrlType.CMD_GET_EDID: {
                byte[] edid = new byte[128];
                edid[1] = (byte) 0xff;
                return RespEdid.of(hdr.responseHeader(CtrlType.RESP_OK_EDID), edid);
            }
            case CtrlType.CMD_RESOURCE_ASSIGN_UUID:
                return new RespResourceUuid(hdr.responseHeader(CtrlType.RESP_OK_RESOURCE_UUID), UUID_ANSWER);
            case CtrlType.CMD_RESOURCE_MAP_BLOB:
                return new RespMapInfo(hdr.responseHeader(CtrlType.RESP_OK_MAP_INFO), 1);
            case CtrlType.CMD_SUBMIT_3D: {
                int size = ((Submit3d) request).size();
                if (size > trailing.remaining()) {
                    return error(hdr, CtrlType.RESP_ERR_INVALID_PARAMETER);
                }
                byte[] commands = new byte[size];
                trailing.get(commands);
                submitted.add(commands);
                return ok(hdr);
            }
            default:
                return ok(hdr);
        }
    }

    private static Response ok(CtrlHdr hdr) {
        return new RespNoData(hdr.responseHeader(CtrlType.RESP_OK_NODATA));
    }

    private static Response error(CtrlHdr hdr, int type) {
        return new RespNoData(hdr.responseHeader(type));
    }
}
