package dev.neep.gpu.device.internal;

import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_CONTEXT_ID;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_PARAMETER;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_RESOURCE_ID;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_SCANOUT_ID;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_OUT_OF_MEMORY;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_UNSPEC;

import dev.neep.gpu.api.CapsetInfo;
import dev.neep.gpu.api.CursorImage;
import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.api.Fence;
import dev.neep.gpu.api.Frame;
import dev.neep.gpu.api.GpuBackend;
import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.api.Transfer;
import dev.neep.gpu.device.internal.FenceTimelines.Timeline;
import dev.neep.gpu.protocol.Blobs;
import dev.neep.gpu.protocol.CapsetIds;
import dev.neep.gpu.protocol.CtrlHdr;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.CtxCreate;
import dev.neep.gpu.protocol.CtxDestroy;
import dev.neep.gpu.protocol.CtxResource;
import dev.neep.gpu.protocol.Decoded;
import dev.neep.gpu.protocol.DisplayOne;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.GetCapset;
import dev.neep.gpu.protocol.GetCapsetInfo;
import dev.neep.gpu.protocol.GetEdid;
import dev.neep.gpu.protocol.GpuFeatures;
import dev.neep.gpu.protocol.MemEntry;
import dev.neep.gpu.protocol.Rect;
import dev.neep.gpu.protocol.Request;
import dev.neep.gpu.protocol.Requests;
import dev.neep.gpu.protocol.RespCapset;
import dev.neep.gpu.protocol.RespCapsetInfo;
import dev.neep.gpu.protocol.RespDisplayInfo;
import dev.neep.gpu.protocol.RespEdid;
import dev.neep.gpu.protocol.RespMapInfo;
import dev.neep.gpu.protocol.RespNoData;
import dev.neep.gpu.protocol.RespResourceUuid;
import dev.neep.gpu.protocol.ResourceAssignUuid;
import dev.neep.gpu.protocol.ResourceAttachBacking;
import dev.neep.gpu.protocol.ResourceCreate2d;
import dev.neep.gpu.protocol.ResourceCreate3d;
import dev.neep.gpu.protocol.ResourceCreateBlob;
import dev.neep.gpu.protocol.ResourceDetachBacking;
import dev.neep.gpu.protocol.ResourceFlush;
import dev.neep.gpu.protocol.ResourceMapBlob;
import dev.neep.gpu.protocol.ResourceUnmapBlob;
import dev.neep.gpu.protocol.ResourceUnref;
import dev.neep.gpu.protocol.Response;
import dev.neep.gpu.protocol.SetScanout;
import dev.neep.gpu.protocol.SetScanoutBlob;
import dev.neep.gpu.protocol.Submit3d;
import dev.neep.gpu.protocol.TransferHost3d;
import dev.neep.gpu.protocol.TransferToHost2d;
import dev.neep.gpu.protocol.UpdateCursor;
import dev.neep.virtio.ChainException;
import dev.neep.virtio.ChainReader;
import dev.neep.virtio.ChainWriter;
import dev.neep.virtio.GuestMemory;
import dev.neep.virtio.GuestMemoryException;
import dev.neep.virtio.OnceLog;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.IntConsumer;

/**
 * The command handlers: decodes each request, checks every field against the device's own
 * state before anything changes, calls the backend, and says what to answer. One method per
 * command; the checks of each run in a fixed order (ids, then geometry, then sizes and memory),
 * all arithmetic on guest values is exact.
 *
 * <p>A guest mistake is an answer ({@code RESP_ERR_*}) and a log line once per cause; a backend
 * failure is logged once with its cause and answered with the backend's error type. Nothing
 * is thrown to the caller for anything the guest sends.
 *
 * <p>Confined to the device thread; the queue layer ({@link GpuDevice}) owns the chains and the
 * parked fences.
 */
final class CommandProcessor {

    /** QEMU's limit on ATTACH_BACKING / CREATE_BLOB entries: 16384 runs of guest pages. */
    static final int MAX_MEM_ENTRIES = 16384;
    /**
     * Largest SUBMIT_3D command stream the device copies out of guest memory. Mesa's command
     * buffers are at most 256 KiB and the context types that stream more use shared rings;
     * the cap keeps a guest from making the host allocate gigabytes per command.
     */
    static final int MAX_SUBMIT_BYTES = 16 << 20;
    /** The cursor image size every virtio-gpu driver uses (and QEMU requires). */
    static final int CURSOR_SIZE = 64;

    /** What the queue layer does with one control command: how much was written, and whether to park it. */
    record Processed(long written, Timeline timeline, long fenceId) {
        boolean parked() {
            return timeline != null;
        }
    }

    @FunctionalInterface
    private interface BackendCall {
        void run(GpuBackend backend) throws GpuBackendException;
    }

    private DeviceConfig config;
    private final OnceLog log;
    private final SinkHub sinks;
    private final IntConsumer contextDestroyed;

    private final Map<Integer, Resource> resources = new HashMap<>();
    /** Live contexts and the capset id each was created for (0: the default). */
    private final Map<Integer, Integer> contexts = new HashMap<>();
    private ScanoutState[] scanouts;
    private int[] modeWidth;
    private int[] modeHeight;
    private CursorImage[] cursors;
    private long hostmemUsed;

    private GpuBackend backend;
    private String noBackendReason = "no backend bound yet";
    private List<CapsetInfo> capsets = List.of();
    /** The backend's {@link GpuBackend#headless()}: sinks get geometry, no pixels. */
    private boolean headless;
    private GuestMemory memory;
    private long features;
    private boolean backendTouched;

    CommandProcessor(DeviceConfig config, OnceLog log, SinkHub sinks, IntConsumer contextDestroyed) {
        this.config = config;
        this.log = log;
        this.sinks = sinks;
        this.contextDestroyed = contextDestroyed;
        shapeOutputs();
    }

    private void shapeOutputs() {
        int n = config.maxOutputs();
        scanouts = new ScanoutState[n];
        cursors = new CursorImage[n];
        modeWidth = new int[n];
        modeHeight = new int[n];
        for (int i = 0; i < n; i++) {
            modeWidth[i] = config.xres();
            modeHeight[i] = config.yres();
        }
    }

    /**
     * Works with {@code next} from now on; the caller has dropped all state first. A new shape
     * (outputs or preferred mode) starts every output over at the configured mode; otherwise
     * modes a front end set are kept.
     */
    void reconfigure(DeviceConfig next) {
        boolean reshape = next.maxOutputs() != config.maxOutputs() || next.xres() != config.xres()
                || next.yres() != config.yres();
        config = next;
        if (reshape) {
            shapeOutputs();
        }
    }

    // ---- lifecycle, called by GpuDevice on the device thread ----

    /** Uses {@code b} from now on (null: none, for {@code reason}); the caller has dropped all state first. */
    void useBackend(GpuBackend b, String reason) {
        backend = b;
        noBackendReason = reason;
        backendTouched = false;
        capsets = b == null ? List.of() : List.copyOf(b.capsets());
        headless = b != null && b.headless();
    }

    /** The guest's memory and the features it acknowledged, from DRIVER_OK until reset. */
    void activate(GuestMemory guestMemory, long driverFeatures) {
        memory = guestMemory;
        features = driverFeatures;
    }

    /**
     * Withdraws negotiated features the device no longer offers (a backend swap to one without
     * 3D, say): the guest acknowledged them, but commands that need them are refused at the
     * door from now on rather than reaching a backend that cannot serve them. Features are
     * never added: the guest only learns of new ones when it negotiates again after a reset.
     */
    void restrictFeatures(long offered) {
        features &= offered;
    }

    /** Back to before {@link #activate}: no guest memory, no negotiated features. */
    void deactivate() {
        memory = null;
        features = 0;
    }

    /**
     * Forgets every resource, context, scanout and cursor (telling the sinks the scanouts are
     * gone) and gives the host memory account back. The backend is not called: the caller
     * closes it, which releases its side of everything at once.
     */
    void dropState() {
        for (int i = 0; i < scanouts.length; i++) {
            disableScanout(i);
            if (cursors[i] != null) {
                cursors[i] = null;
                sinks.cursorDefined(i, null);
            }
        }
        for (Resource r : resources.values()) {
            r.detach();
        }
        resources.clear();
        contexts.clear();
        hostmemUsed = 0;
    }

    /** True once a call may have left state in the backend since {@link #useBackend}. */
    boolean backendTouched() {
        return backendTouched;
    }

    int capsetCount() {
        return capsets.size();
    }

    int resourceCount() {
        return resources.size();
    }

    int contextCount() {
        return contexts.size();
    }

    long hostmemUsed() {
        return hostmemUsed;
    }

    /**
     * Sets output {@code output}'s preferred mode; 0 x 0 disconnects it. Returns whether it
     * changed (the caller then raises VIRTIO_GPU_EVENT_DISPLAY).
     */
    boolean setDisplayMode(int output, int width, int height) {
        if (output < 0 || output >= modeWidth.length) {
            throw new IllegalArgumentException("output " + output + " outside 0.." + (modeWidth.length - 1));
        }
        boolean off = width == 0 && height == 0;
        if (!off && (width < DeviceConfig.MIN_RESOLUTION || width > Edid.MAX_ACTIVE
                || height < DeviceConfig.MIN_RESOLUTION || height > Edid.MAX_ACTIVE)) {
            throw new IllegalArgumentException("mode " + width + "x" + height + " outside "
                    + DeviceConfig.MIN_RESOLUTION + ".." + Edid.MAX_ACTIVE);
        }
        boolean changed = modeWidth[output] != width || modeHeight[output] != height;
        modeWidth[output] = width;
        modeHeight[output] = height;
        return changed;
    }

    // ---- the control queue ----

    /**
     * Processes one control command from {@code in}, answering into {@code out}. A command
     * whose response has no room at all is not executed. A fenced command that succeeded
     * has had its fence created and comes back with the timeline to park it on.
     */
    Processed processControl(ChainReader in, ChainWriter out) {
        if (out.remaining() < CtrlHdr.SIZE) {
            log.guest("controlq: no room for a response", "chain has " + out.remaining()
                    + " writable bytes, a response needs " + CtrlHdr.SIZE + "; command not executed");
            return new Processed(0, null, 0);
        }
        if (in.remaining() < CtrlHdr.SIZE) {
            log.guest("controlq: short header", "chain has " + in.remaining() + " readable bytes, a header needs "
                    + CtrlHdr.SIZE);
            return respond(out, null, Reply.error(RESP_ERR_UNSPEC));
        }
        ByteBuffer head = in.readBuffer(CtrlHdr.SIZE);
        CtrlHdr hdr = CtrlHdr.decode(head.duplicate()).value();
        String name = CtrlType.name(hdr.type());
        int fixed = Requests.fixedSize(hdr.type());
        if (fixed < 0 || CtrlType.isCursorCommand(hdr.type())) {
            // One cause for every unknown type: a guest must not grow the log's cause table at will.
            log.guest("controlq: unknown command", hdr.toString());
            return respond(out, hdr, Reply.error(RESP_ERR_UNSPEC));
        }
        if (in.remaining() < fixed - CtrlHdr.SIZE) {
            log.guest(name + ": short request", "needs " + fixed + " bytes, chain has "
                    + (in.remaining() + CtrlHdr.SIZE));
            return respond(out, hdr, Reply.error(RESP_ERR_UNSPEC));
        }
        ByteBuffer whole = ByteBuffer.allocate(fixed).order(ByteOrder.LITTLE_ENDIAN);
        whole.put(head);
        in.read(whole);
        whole.flip();
        Decoded<Request> decoded = Requests.decode(whole);
        if (!decoded.isOk()) {
            log.guest(name + ": undecodable", decoded.error().message());
            return respond(out, hdr, Reply.error(RESP_ERR_UNSPEC));
        }
        int needed = responseSize(hdr.type());
        if (out.remaining() < needed) {
            log.guest(name + ": response buffer too small", "needs " + needed + " writable bytes, chain has "
                    + out.remaining() + "; command not executed");
            return respond(out, hdr, Reply.error(RESP_ERR_UNSPEC));
        }
        Reply reply = checkFence(hdr);
        if (reply == null) {
            reply = executeGuarded(decoded.value(), in, out.remaining());
        }
        if (!reply.isOk() || !hdr.isFenced()) {
            return respond(out, hdr, reply);
        }
        Fence fence = new Fence(hdr.flags() & (Fence.FLAG_FENCE | Fence.FLAG_INFO_RING_IDX), hdr.fenceId(),
                hdr.ctxId(), hdr.hasRingIdx() ? hdr.ringIdx() : 0);
        Reply failed = call(name + ": create fence", b -> b.createFence(fence));
        if (failed != null) {
            return respond(out, hdr, failed);
        }
        Timeline timeline = Timeline.of(fence.onRing(), fence.ctxId(), fence.ringIdx());
        return new Processed(respond(out, hdr, reply).written(), timeline, fence.fenceId());
    }

    /**
     * Runs one decoded request: validation, then the backend, then the device's own state.
     * {@code trailing} is what follows the request's fixed part (memory entries, a command
     * stream); {@code writable} the room there is for the answer.
     */
    Reply execute(Request request, ChainReader trailing, long writable) {
        CtrlHdr h = request.hdr();
        switch (h.type()) {
            case CtrlType.CMD_GET_DISPLAY_INFO: return getDisplayInfo();
            case CtrlType.CMD_GET_EDID: return getEdid((GetEdid) request);
            case CtrlType.CMD_GET_CAPSET_INFO: return getCapsetInfo((GetCapsetInfo) request);
            case CtrlType.CMD_GET_CAPSET: return getCapset((GetCapset) request, writable);
            case CtrlType.CMD_RESOURCE_CREATE_2D: return create2d((ResourceCreate2d) request);
            case CtrlType.CMD_RESOURCE_UNREF: return unref((ResourceUnref) request);
            case CtrlType.CMD_SET_SCANOUT: return setScanout((SetScanout) request);
            case CtrlType.CMD_RESOURCE_FLUSH: return flush((ResourceFlush) request);
            case CtrlType.CMD_TRANSFER_TO_HOST_2D: return transferToHost2d((TransferToHost2d) request);
            case CtrlType.CMD_RESOURCE_ATTACH_BACKING: return attachBacking((ResourceAttachBacking) request, trailing);
            case CtrlType.CMD_RESOURCE_DETACH_BACKING: return detachBacking((ResourceDetachBacking) request);
            case CtrlType.CMD_RESOURCE_ASSIGN_UUID: return assignUuid((ResourceAssignUuid) request);
            case CtrlType.CMD_RESOURCE_CREATE_BLOB: return createBlob((ResourceCreateBlob) request, trailing);
            case CtrlType.CMD_SET_SCANOUT_BLOB: return setScanoutBlob((SetScanoutBlob) request);
            case CtrlType.CMD_RESOURCE_MAP_BLOB: return mapBlob((ResourceMapBlob) request);
            case CtrlType.CMD_RESOURCE_UNMAP_BLOB: return unmapBlob((ResourceUnmapBlob) request);
            case CtrlType.CMD_CTX_CREATE: return ctxCreate((CtxCreate) request);
            case CtrlType.CMD_CTX_DESTROY: return ctxDestroy((CtxDestroy) request);
            case CtrlType.CMD_CTX_ATTACH_RESOURCE: return ctxResource((CtxResource) request, true);
            case CtrlType.CMD_CTX_DETACH_RESOURCE: return ctxResource((CtxResource) request, false);
            case CtrlType.CMD_RESOURCE_CREATE_3D: return create3d((ResourceCreate3d) request);
            case CtrlType.CMD_TRANSFER_TO_HOST_3D: return transfer3d((TransferHost3d) request, true);
            case CtrlType.CMD_TRANSFER_FROM_HOST_3D: return transfer3d((TransferHost3d) request, false);
            case CtrlType.CMD_SUBMIT_3D: return submit3d((Submit3d) request, trailing);
            default:
                log.guest("controlq: unknown command", h.toString());
                return Reply.error(RESP_ERR_UNSPEC);
        }
    }

    private Reply executeGuarded(Request request, ChainReader trailing, long writable) {
        String name = CtrlType.name(request.hdr().type());
        try {
            return execute(request, trailing, writable);
        } catch (ChainException | GuestMemoryException e) {
            return guest(request.hdr(), "guest memory", e.getMessage(), RESP_ERR_UNSPEC);
        } catch (RuntimeException e) {
            log.host(name + ": " + e.getClass().getName(), "a handler failed; answered RESP_ERR_UNSPEC", e);
            return Reply.error(RESP_ERR_UNSPEC);
        }
    }

    /** The fence timeline a fenced command names must exist before the command runs. */
    private Reply checkFence(CtrlHdr h) {
        if (!h.isFenced() || !h.hasRingIdx()) {
            return null;
        }
        if (!negotiated(GpuFeatures.CONTEXT_INIT)) {
            return guest(h, "FLAG_INFO_RING_IDX", "ring fences need VIRTIO_GPU_F_CONTEXT_INIT, not negotiated",
                    RESP_ERR_INVALID_PARAMETER);
        }
        if (!contexts.containsKey(h.ctxId())) {
            return guest(h, "ring fence ctx_id", "context " + Integer.toUnsignedString(h.ctxId())
                    + " does not exist", RESP_ERR_INVALID_CONTEXT_ID);
        }
        return null;
    }

    /** The one place responses are encoded: the header echoes the request's fence, context and ring. */
    private Processed respond(ChainWriter out, CtrlHdr request, Reply reply) {
        CtrlHdr hdr = request == null ? CtrlHdr.of(reply.type()) : request.responseHeader(reply.type());
        Response response = reply.body().apply(hdr);
        ByteBuffer bytes = ByteBuffer.allocate(sizeOf(response)).order(ByteOrder.LITTLE_ENDIAN);
        response.encode(bytes);
        bytes.flip();
        if (bytes.remaining() > out.remaining()) {
            // Sizes are checked before a command runs; only a bug gets here. Answer what fits.
            log.host("response size", CtrlType.name(reply.type()) + " needs " + bytes.remaining()
                    + " bytes, chain has " + out.remaining(), null);
            bytes = ByteBuffer.allocate(RespNoData.SIZE).order(ByteOrder.LITTLE_ENDIAN);
            new RespNoData(request == null ? CtrlHdr.of(RESP_ERR_UNSPEC) : request.responseHeader(RESP_ERR_UNSPEC))
                    .encode(bytes);
            bytes.flip();
        }
        out.write(bytes);
        return new Processed(out.written(), null, 0);
    }

    private static int responseSize(int commandType) {
        switch (commandType) {
            case CtrlType.CMD_GET_DISPLAY_INFO: return RespDisplayInfo.SIZE;
            case CtrlType.CMD_GET_CAPSET_INFO: return RespCapsetInfo.SIZE;
            case CtrlType.CMD_GET_EDID: return RespEdid.SIZE;
            case CtrlType.CMD_RESOURCE_ASSIGN_UUID: return RespResourceUuid.SIZE;
            case CtrlType.CMD_RESOURCE_MAP_BLOB: return RespMapInfo.SIZE;
            default: return RespNoData.SIZE; // GET_CAPSET checks its variable size itself
        }
    }

    private static int sizeOf(Response r) {
        if (r instanceof RespCapset c) {
            return c.encodedSize();
        } else if (r instanceof RespDisplayInfo) {
            return RespDisplayInfo.SIZE;
        } else if (r instanceof RespCapsetInfo) {
            return RespCapsetInfo.SIZE;
        } else if (r instanceof RespEdid) {
            return RespEdid.SIZE;
        } else if (r instanceof RespResourceUuid) {
            return RespResourceUuid.SIZE;
        } else if (r instanceof RespMapInfo) {
            return RespMapInfo.SIZE;
        }
        return RespNoData.SIZE;
    }

    // ---- display info, EDID, capsets ----

    private Reply getDisplayInfo() {
        List<DisplayOne> modes = new ArrayList<>(modeWidth.length);
        for (int i = 0; i < modeWidth.length; i++) {
            modes.add(modeWidth[i] == 0 ? DisplayOne.DISABLED
                    : new DisplayOne(new Rect(0, 0, modeWidth[i], modeHeight[i]), 1, 0));
        }
        return Reply.with(CtrlType.RESP_OK_DISPLAY_INFO, hdr -> RespDisplayInfo.of(hdr, modes));
    }

    private Reply getEdid(GetEdid r) {
        if (!config.edid()) {
            return guest(r.hdr(), "edid disabled", "GET_EDID while the device offers no VIRTIO_GPU_F_EDID",
                    RESP_ERR_UNSPEC);
        }
        if (Integer.compareUnsigned(r.scanout(), modeWidth.length) >= 0) {
            // QEMU answers an out-of-range EDID scanout with INVALID_PARAMETER, not INVALID_SCANOUT_ID.
            return guest(r.hdr(), "scanout", "scanout " + Integer.toUnsignedString(r.scanout()) + " >= max_outputs "
                    + modeWidth.length, RESP_ERR_INVALID_PARAMETER);
        }
        int i = r.scanout();
        int w = modeWidth[i] == 0 ? config.xres() : modeWidth[i];
        int h = modeWidth[i] == 0 ? config.yres() : modeHeight[i];
        byte[] edid = Edid.generate(w, h);
        return Reply.with(CtrlType.RESP_OK_EDID, hdr -> RespEdid.of(hdr, edid));
    }

    private Reply getCapsetInfo(GetCapsetInfo r) {
        if (Integer.compareUnsigned(r.capsetIndex(), capsets.size()) >= 0) {
            return guest(r.hdr(), "capset_index", "index " + Integer.toUnsignedString(r.capsetIndex())
                    + " >= num_capsets " + capsets.size(), RESP_ERR_INVALID_PARAMETER);
        }
        CapsetInfo c = capsets.get(r.capsetIndex());
        return Reply.with(CtrlType.RESP_OK_CAPSET_INFO,
                hdr -> new RespCapsetInfo(hdr, c.capsetId(), c.maxVersion(), c.maxSize()));
    }

    private Reply getCapset(GetCapset r, long writable) {
        CapsetInfo info = null;
        for (CapsetInfo c : capsets) {
            if (c.capsetId() == r.capsetId()) {
                info = c;
            }
        }
        if (info == null) {
            return guest(r.hdr(), "capset_id", "capset " + CapsetIds.name(r.capsetId()) + " is not offered",
                    RESP_ERR_INVALID_PARAMETER);
        }
        if (Integer.compareUnsigned(r.capsetVersion(), info.maxVersion()) > 0) {
            return guest(r.hdr(), "capset_version", "version " + Integer.toUnsignedString(r.capsetVersion())
                    + " > max_version " + info.maxVersion(), RESP_ERR_INVALID_PARAMETER);
        }
        long size = CtrlHdr.SIZE + Integer.toUnsignedLong(info.maxSize());
        if (size > writable) {
            return guest(r.hdr(), "response buffer", "capset " + CapsetIds.name(info.capsetId()) + " needs " + size
                    + " writable bytes, chain has " + writable, RESP_ERR_UNSPEC);
        }
        byte[][] data = new byte[1][];
        int version = r.capsetVersion();
        int id = r.capsetId();
        Reply failed = call("CMD_GET_CAPSET", b -> data[0] = b.capset(id, version));
        if (failed != null) {
            return failed;
        }
        if (data[0] == null || data[0].length != info.maxSize()) {
            log.host("CMD_GET_CAPSET: size", "backend gave " + (data[0] == null ? "null" : data[0].length + " bytes")
                    + " for capset " + CapsetIds.name(id) + ", its max_size is " + info.maxSize(), null);
            return Reply.error(RESP_ERR_UNSPEC);
        }
        byte[] bytes = data[0];
        return Reply.with(CtrlType.RESP_OK_CAPSET, hdr -> new RespCapset(hdr, bytes));
    }

    // ---- resources ----

    private Reply create2d(ResourceCreate2d r) {
        Reply bad = checkNewResourceId(r.hdr(), r.resourceId());
        if (bad != null) {
            return bad;
        }
        if (!Formats.isSupported2d(r.format())) {
            return guest(r.hdr(), "format", "format " + Formats.name(r.format()) + " is not a 2D format",
                    RESP_ERR_INVALID_PARAMETER);
        }
        if (r.width() == 0 || r.height() == 0) {
            return guest(r.hdr(), "size", "zero width or height: " + size(r.width(), r.height()),
                    RESP_ERR_INVALID_PARAMETER);
        }
        long bytes;
        try {
            bytes = Math.multiplyExact(Math.multiplyExact(Integer.toUnsignedLong(r.width()),
                    Integer.toUnsignedLong(r.height())), Formats.bytesPerPixel(r.format()));
        } catch (ArithmeticException e) {
            return guest(r.hdr(), "size overflow", "width x height x bpp overflows: " + size(r.width(), r.height()),
                    RESP_ERR_INVALID_PARAMETER);
        }
        if (bytes > config.maxHostmem() - hostmemUsed) {
            return guest(r.hdr(), "max_hostmem", size(r.width(), r.height()) + " needs " + bytes + " bytes, "
                    + (config.maxHostmem() - hostmemUsed) + " of max_hostmem " + config.maxHostmem() + " left",
                    RESP_ERR_OUT_OF_MEMORY);
        }
        Reply failed = call("CMD_RESOURCE_CREATE_2D",
                b -> b.resourceCreate2d(r.resourceId(), r.format(), r.width(), r.height()));
        if (failed != null) {
            return failed;
        }
        resources.put(r.resourceId(), Resource.twoD(r.resourceId(), r.format(), r.width(), r.height(), bytes));
        hostmemUsed += bytes;
        return Reply.OK;
    }

    private Reply create3d(ResourceCreate3d r) {
        Reply bad = require3d(r.hdr());
        if (bad == null) {
            bad = checkNewResourceId(r.hdr(), r.resourceId());
        }
        if (bad != null) {
            return bad;
        }
        if (Integer.compareUnsigned(r.target(), Gallium.TARGET_COUNT) >= 0) {
            return guest(r.hdr(), "target", "target " + Integer.toUnsignedString(r.target()) + " is not a Gallium"
                    + " texture target", RESP_ERR_INVALID_PARAMETER);
        }
        if (r.width() == 0 || r.height() == 0 || r.depth() == 0 || r.arraySize() == 0) {
            return guest(r.hdr(), "size", "zero extent: " + size(r.width(), r.height()) + "x"
                    + Integer.toUnsignedString(r.depth()) + ", array_size " + Integer.toUnsignedString(r.arraySize()),
                    RESP_ERR_INVALID_PARAMETER);
        }
        if (Integer.compareUnsigned(r.lastLevel(), Gallium.MAX_LAST_LEVEL) > 0) {
            return guest(r.hdr(), "last_level", "last_level " + Integer.toUnsignedString(r.lastLevel()) + " > "
                    + Gallium.MAX_LAST_LEVEL, RESP_ERR_INVALID_PARAMETER);
        }
        dev.neep.gpu.api.ResourceCreate3d create = new dev.neep.gpu.api.ResourceCreate3d(r.target(), r.format(),
                r.bind(), r.width(), r.height(), r.depth(), r.arraySize(), r.lastLevel(), r.nrSamples(), r.flags());
        Reply failed = call("CMD_RESOURCE_CREATE_3D", b -> b.resourceCreate3d(r.resourceId(), create));
        if (failed != null) {
            return failed;
        }
        resources.put(r.resourceId(), Resource.threeD(r.resourceId(), r.target(), r.format(), r.width(), r.height(),
                r.depth(), r.arraySize(), r.lastLevel()));
        return Reply.OK;
    }

    private Reply createBlob(ResourceCreateBlob r, ChainReader trailing) {
        if (!negotiated(GpuFeatures.RESOURCE_BLOB)) {
            // QEMU's answer to blob commands without VIRTIO_GPU_F_RESOURCE_BLOB
            return guest(r.hdr(), "blob not negotiated", "VIRTIO_GPU_F_RESOURCE_BLOB was not acknowledged",
                    RESP_ERR_INVALID_PARAMETER);
        }
        Reply bad = checkNewResourceId(r.hdr(), r.resourceId());
        if (bad != null) {
            return bad;
        }
        int mem = r.blobMem();
        if (mem != Blobs.BLOB_MEM_GUEST && mem != Blobs.BLOB_MEM_HOST3D && mem != Blobs.BLOB_MEM_HOST3D_GUEST) {
            return guest(r.hdr(), "blob_mem", "blob_mem " + Integer.toUnsignedString(mem) + " is not 1..3",
                    RESP_ERR_INVALID_PARAMETER);
        }
        int known = Blobs.BLOB_FLAG_USE_MAPPABLE | Blobs.BLOB_FLAG_USE_SHAREABLE | Blobs.BLOB_FLAG_USE_CROSS_DEVICE;
        if ((r.blobFlags() & ~known) != 0) {
            return guest(r.hdr(), "blob_flags", "unknown blob_flags 0x" + Integer.toHexString(r.blobFlags()),
                    RESP_ERR_INVALID_PARAMETER);
        }
        int ctx = r.hdr().ctxId();
        if ((mem != Blobs.BLOB_MEM_GUEST || ctx != 0) && !contexts.containsKey(ctx)) {
            return guest(r.hdr(), "ctx_id", "context " + Integer.toUnsignedString(ctx) + " does not exist",
                    RESP_ERR_INVALID_CONTEXT_ID);
        }
        if (r.size() <= 0) {
            return guest(r.hdr(), "size", "blob size " + Long.toUnsignedString(r.size()) + " is zero or above 2^63",
                    RESP_ERR_INVALID_PARAMETER);
        }
        if (r.size() > config.maxHostmem() - hostmemUsed) {
            return guest(r.hdr(), "max_hostmem", "blob of " + r.size() + " bytes, "
                    + (config.maxHostmem() - hostmemUsed) + " of max_hostmem " + config.maxHostmem() + " left",
                    RESP_ERR_OUT_OF_MEMORY);
        }
        Backing backing;
        if (mem == Blobs.BLOB_MEM_HOST3D) {
            if (r.nrEntries() != 0) {
                return guest(r.hdr(), "nr_entries", "a host-only blob takes no guest pages, got "
                        + Integer.toUnsignedString(r.nrEntries()) + " entries", RESP_ERR_INVALID_PARAMETER);
            }
            backing = Backing.NONE;
        } else {
            backing = mapEntries(r.hdr(), r.nrEntries(), trailing);
            if (backing.refused() != null) {
                return backing.refused();
            }
            if (mem == Blobs.BLOB_MEM_GUEST && backing.length() < r.size()) {
                return guest(r.hdr(), "size vs entries", "blob of " + r.size() + " bytes backed by only "
                        + backing.length(), RESP_ERR_INVALID_PARAMETER);
            }
        }
        dev.neep.gpu.api.ResourceCreateBlob create = new dev.neep.gpu.api.ResourceCreateBlob(mem, r.blobFlags(),
                r.blobId(), r.size());
        Reply failed = call("CMD_RESOURCE_CREATE_BLOB",
                b -> b.resourceCreateBlob(ctx, r.resourceId(), create, backing.views()));
        if (failed != null) {
            return failed;
        }
        resources.put(r.resourceId(), Resource.blob(r.resourceId(), mem, r.blobFlags(), r.size(), backing.views(),
                backing.length()));
        hostmemUsed += r.size();
        return Reply.OK;
    }

    private Reply unref(ResourceUnref r) {
        Resource res = resources.get(r.resourceId());
        if (res == null) {
            return unknownResource(r.hdr(), r.resourceId());
        }
        for (int i = 0; i < scanouts.length; i++) {
            if ((res.scanoutMask & (1 << i)) != 0) {
                disableScanout(i);
            }
        }
        // The backend drops whatever backing is still attached (CVE-2016-9912: unref must not leak it).
        Reply failed = call("CMD_RESOURCE_UNREF", b -> b.resourceUnref(res.id));
        // The guest's resource is gone whatever the backend said: keep the device's account exact.
        resources.remove(res.id);
        res.detach();
        hostmemUsed -= res.hostmem;
        return failed != null ? failed : Reply.OK;
    }

    private Reply attachBacking(ResourceAttachBacking r, ChainReader trailing) {
        Resource res = resources.get(r.resourceId());
        if (res == null) {
            return unknownResource(r.hdr(), r.resourceId());
        }
        if (res.hasBacking()) {
            // QEMU answers ERR_UNSPEC and keeps the first backing (CVE-2017-5552 was a leak here).
            return guest(r.hdr(), "backing already attached", res + " already has backing; the first is kept",
                    RESP_ERR_UNSPEC);
        }
        Backing backing = mapEntries(r.hdr(), r.nrEntries(), trailing);
        if (backing.refused() != null) {
            return backing.refused();
        }
        Reply failed = call("CMD_RESOURCE_ATTACH_BACKING", b -> b.attachBacking(res.id, backing.views()));
        if (failed != null) {
            return failed; // the views are dropped with 'backing': nothing is kept
        }
        res.attach(backing.views(), backing.length());
        return Reply.OK;
    }

    private Reply detachBacking(ResourceDetachBacking r) {
        Resource res = resources.get(r.resourceId());
        if (res == null) {
            return unknownResource(r.hdr(), r.resourceId());
        }
        if (res.isBlob()) {
            return guest(r.hdr(), "blob backing", res + ": a blob's guest pages are fixed at creation",
                    RESP_ERR_INVALID_PARAMETER);
        }
        if (!res.hasBacking()) {
            return guest(r.hdr(), "no backing", res + " has no backing to detach", RESP_ERR_UNSPEC);
        }
        Reply failed = call("CMD_RESOURCE_DETACH_BACKING", b -> b.detachBacking(res.id));
        if (failed != null) {
            return failed;
        }
        res.detach();
        return Reply.OK;
    }

    private Reply assignUuid(ResourceAssignUuid r) {
        Resource res = resources.get(r.resourceId());
        if (res == null) {
            return unknownResource(r.hdr(), r.resourceId());
        }
        if (res.uuid == null) {
            res.uuid = UUID.randomUUID();
        }
        UUID uuid = res.uuid;
        return Reply.with(CtrlType.RESP_OK_RESOURCE_UUID, hdr -> new RespResourceUuid(hdr, uuid));
    }

    private Reply mapBlob(ResourceMapBlob r) {
        if (!negotiated(GpuFeatures.RESOURCE_BLOB)) {
            return guest(r.hdr(), "blob not negotiated", "VIRTIO_GPU_F_RESOURCE_BLOB was not acknowledged",
                    RESP_ERR_INVALID_PARAMETER);
        }
        Resource res = resources.get(r.resourceId());
        if (res == null) {
            return unknownResource(r.hdr(), r.resourceId());
        }
        if (!res.isBlob() || (res.blobFlags & Blobs.BLOB_FLAG_USE_MAPPABLE) == 0) {
            return guest(r.hdr(), "not mappable", res + " is not a blob created with BLOB_FLAG_USE_MAPPABLE",
                    RESP_ERR_INVALID_PARAMETER);
        }
        // Mapping needs a host-visible shared memory region, which no transport offers yet; a
        // driver only maps when it found one, so asking is a guest mistake.
        return guest(r.hdr(), "no host-visible region", "the transport offers no host-visible shared memory"
                + " region to map " + res + " into", RESP_ERR_UNSPEC);
    }

    private Reply unmapBlob(ResourceUnmapBlob r) {
        if (!negotiated(GpuFeatures.RESOURCE_BLOB)) {
            return guest(r.hdr(), "blob not negotiated", "VIRTIO_GPU_F_RESOURCE_BLOB was not acknowledged",
                    RESP_ERR_INVALID_PARAMETER);
        }
        Resource res = resources.get(r.resourceId());
        if (res == null) {
            return unknownResource(r.hdr(), r.resourceId());
        }
        return guest(r.hdr(), "not mapped", res + " is not mapped", RESP_ERR_INVALID_PARAMETER);
    }

    // ---- transfers ----

    private Reply transferToHost2d(TransferToHost2d t) {
        Resource res = resources.get(t.resourceId());
        if (res == null) {
            return unknownResource(t.hdr(), t.resourceId());
        }
        if (res.isBlob()) {
            // The guest's pages are the blob: nothing to copy (QEMU answers OK the same way).
            return Reply.OK;
        }
        if (!res.hasBacking()) {
            return guest(t.hdr(), "no backing", res + " has no backing to transfer from", RESP_ERR_UNSPEC);
        }
        Rect r = t.r();
        if (!inside(r, res.width, res.height)) {
            return guest(t.hdr(), "rect", rect(r) + " outside " + res + " of " + size(res.width, res.height),
                    RESP_ERR_INVALID_PARAMETER);
        }
        if (t.offset() < 0) {
            return guest(t.hdr(), "offset", "offset " + Long.toUnsignedString(t.offset()) + " beyond any backing",
                    RESP_ERR_INVALID_PARAMETER);
        }
        if (res.kind == Resource.Kind.TWO_D && r.width() != 0 && r.height() != 0) {
            // rows of the guest image are the resource's stride apart, from 'offset' on
            long stride = Integer.toUnsignedLong(res.width) * Formats.bytesPerPixel(res.format);
            long end;
            try {
                end = Math.addExact(Math.addExact(t.offset(),
                        Math.multiplyExact(stride, Integer.toUnsignedLong(r.height()) - 1)),
                        Integer.toUnsignedLong(r.width()) * Formats.bytesPerPixel(res.format));
            } catch (ArithmeticException e) {
                end = Long.MAX_VALUE;
            }
            if (end > res.backingLength()) {
                return guest(t.hdr(), "backing too small", rect(r) + " at offset " + t.offset() + " reads up to byte "
                        + end + " of " + res + "'s " + res.backingLength() + " bytes of backing",
                        RESP_ERR_INVALID_PARAMETER);
            }
        }
        Transfer transfer = Transfer.of2d(r.x(), r.y(), r.width(), r.height(), t.offset());
        Reply failed = call("CMD_TRANSFER_TO_HOST_2D", b -> b.transferWrite(0, res.id, transfer));
        return failed != null ? failed : Reply.OK;
    }

    private Reply transfer3d(TransferHost3d t, boolean toHost) {
        Reply bad = require3d(t.hdr());
        if (bad != null) {
            return bad;
        }
        int ctx = t.hdr().ctxId();
        if (ctx != 0 && !contexts.containsKey(ctx)) {
            return guest(t.hdr(), "ctx_id", "context " + Integer.toUnsignedString(ctx) + " does not exist",
                    RESP_ERR_INVALID_CONTEXT_ID);
        }
        Resource res = resources.get(t.resourceId());
        if (res == null) {
            return unknownResource(t.hdr(), t.resourceId());
        }
        var box = t.box();
        if (!res.isBlob()) {
            if (Integer.compareUnsigned(t.level(), res.lastLevel) > 0) {
                return guest(t.hdr(), "level", "level " + Integer.toUnsignedString(t.level()) + " > last_level "
                        + res.lastLevel + " of " + res, RESP_ERR_INVALID_PARAMETER);
            }
            if (!Gallium.boxInside(res, box.x(), box.y(), box.z(), box.w(), box.h(), box.d())) {
                return guest(t.hdr(), "box", box + " outside " + res + " of " + size(res.width, res.height) + "x"
                        + res.depth + ", array_size " + res.arraySize, RESP_ERR_INVALID_PARAMETER);
            }
        }
        if (t.offset() < 0 || (res.hasBacking() && t.offset() > res.backingLength())) {
            return guest(t.hdr(), "offset", "offset " + Long.toUnsignedString(t.offset()) + " beyond the "
                    + res.backingLength() + " bytes of " + res + "'s backing", RESP_ERR_INVALID_PARAMETER);
        }
        Transfer transfer = new Transfer(box.x(), box.y(), box.z(), box.w(), box.h(), box.d(), t.level(),
                t.stride(), t.layerStride(), t.offset());
        Reply failed = toHost
                ? call("CMD_TRANSFER_TO_HOST_3D", b -> b.transferWrite(ctx, res.id, transfer))
                : call("CMD_TRANSFER_FROM_HOST_3D", b -> b.transferRead(ctx, res.id, transfer));
        return failed != null ? failed : Reply.OK;
    }

    // ---- scanouts ----

    private Reply setScanout(SetScanout s) {
        Reply done = checkScanoutOrDisable(s.hdr(), s.scanoutId(), s.resourceId());
        if (done != null) {
            return done;
        }
        Resource res = resources.get(s.resourceId());
        if (res == null) {
            return unknownResource(s.hdr(), s.resourceId());
        }
        if (res.isBlob()) {
            return guest(s.hdr(), "blob", res + " is a blob: SET_SCANOUT_BLOB shows blobs",
                    RESP_ERR_INVALID_PARAMETER);
        }
        Rect r = s.r();
        if (!scanoutRectValid(r, res.width, res.height)) {
            return guest(s.hdr(), "rect", rect(r) + " outside " + res + " of " + size(res.width, res.height)
                    + " or smaller than " + DeviceConfig.MIN_RESOLUTION + "x" + DeviceConfig.MIN_RESOLUTION,
                    RESP_ERR_INVALID_PARAMETER);
        }
        show(s.scanoutId(), res, ScanoutState.of(res, r.x(), r.y(), r.width(), r.height()));
        return Reply.OK;
    }

    /**
     * What SET_SCANOUT and SET_SCANOUT_BLOB check first, alike: the scanout exists, and
     * resource 0 disables it. The answer when the command ends here, null when it goes on.
     */
    private Reply checkScanoutOrDisable(CtrlHdr hdr, int scanoutId, int resourceId) {
        if (Integer.compareUnsigned(scanoutId, scanouts.length) >= 0) {
            return guest(hdr, "scanout_id", "scanout " + Integer.toUnsignedString(scanoutId)
                    + " >= max_outputs " + scanouts.length, RESP_ERR_INVALID_SCANOUT_ID);
        }
        if (resourceId == 0) {
            disableScanout(scanoutId);
            return Reply.OK;
        }
        return null;
    }

    private Reply setScanoutBlob(SetScanoutBlob s) {
        if (!negotiated(GpuFeatures.RESOURCE_BLOB)) {
            return guest(s.hdr(), "blob not negotiated", "VIRTIO_GPU_F_RESOURCE_BLOB was not acknowledged",
                    RESP_ERR_INVALID_PARAMETER);
        }
        Reply done = checkScanoutOrDisable(s.hdr(), s.scanoutId(), s.resourceId());
        if (done != null) {
            return done;
        }
        Resource res = resources.get(s.resourceId());
        if (res == null) {
            return unknownResource(s.hdr(), s.resourceId());
        }
        if (!res.isBlob()) {
            return guest(s.hdr(), "not a blob", res + " is not a blob: SET_SCANOUT shows it",
                    RESP_ERR_INVALID_PARAMETER);
        }
        if (!Formats.isSupported2d(s.format())) {
            return guest(s.hdr(), "format", "format " + Formats.name(s.format()) + " cannot be scanned out",
                    RESP_ERR_INVALID_PARAMETER);
        }
        Rect r = s.r();
        if (!scanoutRectValid(r, s.width(), s.height())) {
            return guest(s.hdr(), "rect", rect(r) + " outside the " + size(s.width(), s.height())
                    + " framebuffer or smaller than 16x16", RESP_ERR_INVALID_PARAMETER);
        }
        int bpp = Formats.bytesPerPixel(s.format());
        long stride = Integer.toUnsignedLong(s.strides().get(0));
        if (stride < Integer.toUnsignedLong(r.width()) * bpp) {
            // Rows that overlap are no framebuffer; refused here, not at the first flush.
            return guest(s.hdr(), "stride", "stride " + stride + " shorter than a row of " + rect(r) + " in "
                    + Formats.name(s.format()), RESP_ERR_INVALID_PARAMETER);
        }
        long first;
        long end;
        try {
            first = Math.addExact(Integer.toUnsignedLong(s.offsets().get(0)),
                    Math.addExact(Math.multiplyExact(Integer.toUnsignedLong(r.y()), stride),
                            Integer.toUnsignedLong(r.x()) * bpp));
            end = Math.addExact(first, Math.addExact(
                    Math.multiplyExact(Integer.toUnsignedLong(r.height()) - 1, stride),
                    Integer.toUnsignedLong(r.width()) * bpp));
        } catch (ArithmeticException e) {
            first = Long.MAX_VALUE;
            end = Long.MAX_VALUE;
        }
        if (end > res.blobSize) {
            return guest(s.hdr(), "fb end", rect(r) + " with stride " + stride + " at offset "
                    + Integer.toUnsignedString(s.offsets().get(0)) + " ends at byte " + end + ", past the "
                    + res.blobSize + " bytes of " + res, RESP_ERR_INVALID_PARAMETER);
        }
        show(s.scanoutId(), res, ScanoutState.ofBlob(res, s.format(), r.x(), r.y(), r.width(), r.height(),
                s.strides().get(0), first));
        return Reply.OK;
    }

    private Reply flush(ResourceFlush f) {
        Resource res = resources.get(f.resourceId());
        if (res == null) {
            return unknownResource(f.hdr(), f.resourceId());
        }
        Rect r = f.r();
        if (!res.isBlob() && !inside(r, res.width, res.height)) {
            return guest(f.hdr(), "rect", rect(r) + " outside " + res + " of " + size(res.width, res.height),
                    RESP_ERR_INVALID_PARAMETER);
        }
        Reply result = Reply.OK;
        for (int i = 0; i < scanouts.length; i++) {
            ScanoutState s = scanouts[i];
            if (s == null || s.resourceId() != res.id) {
                continue;
            }
            dev.neep.gpu.api.Rect dirty = dirty(r, s);
            if (dirty == null || headless || sinks.isEmpty()) {
                continue;
            }
            Frame frame;
            try {
                frame = scanoutFrame(s);
            } catch (GpuBackendException e) {
                log.host("CMD_RESOURCE_FLUSH: frame", "no pixels for scanout " + i + ": " + e.getMessage(), e);
                result = Reply.error(validError(e.responseType()));
                continue;
            } catch (RuntimeException e) {
                log.host("CMD_RESOURCE_FLUSH: frame", "backend failed to give pixels for scanout " + i, e);
                result = Reply.error(RESP_ERR_UNSPEC);
                continue;
            }
            sinks.frameUpdated(i, dirty, frame);
        }
        return result;
    }

    private void show(int scanoutId, Resource res, ScanoutState state) {
        ScanoutState old = scanouts[scanoutId];
        if (old != null && old.resourceId() != res.id) {
            Resource previous = resources.get(old.resourceId());
            if (previous != null) {
                previous.scanoutMask &= ~(1 << scanoutId);
            }
        }
        res.scanoutMask |= 1 << scanoutId;
        scanouts[scanoutId] = state;
        if (!state.equals(old)) {
            sinks.scanoutChanged(scanoutId, state.toScanout());
        }
    }

    private void disableScanout(int scanoutId) {
        ScanoutState old = scanouts[scanoutId];
        if (old == null) {
            return;
        }
        Resource res = resources.get(old.resourceId());
        if (res != null) {
            res.scanoutMask &= ~(1 << scanoutId);
        }
        scanouts[scanoutId] = null;
        sinks.scanoutChanged(scanoutId, null);
    }

    /** The scanout's view of the backend's pixels: the frame positioned at the rectangle's top-left pixel. */
    private Frame scanoutFrame(ScanoutState s) throws GpuBackendException {
        if (backend == null) {
            throw new GpuBackendException(RESP_ERR_UNSPEC, noBackendReason);
        }
        if (s.blob()) {
            return backend.blobFrame(s.resourceId(), s.format(), s.width(), s.height(), s.stride(), s.offset());
        }
        Frame f = backend.frame(s.resourceId());
        if (!Formats.isSupported2d(f.format())) {
            throw new GpuBackendException(RESP_ERR_UNSPEC, "frame format " + Formats.name(f.format())
                    + " of resource " + s.resourceId() + " cannot be shown");
        }
        int bpp = Formats.bytesPerPixel(f.format());
        long base = f.pixels().position();
        long start = base + (long) s.y() * f.stride() + (long) s.x() * bpp;
        long end = start + (long) (s.height() - 1) * f.stride() + (long) s.width() * bpp;
        if (Integer.compareUnsigned(f.width(), s.x() + s.width()) < 0
                || Integer.compareUnsigned(f.height(), s.y() + s.height()) < 0 || end > f.pixels().limit()) {
            throw new GpuBackendException(RESP_ERR_UNSPEC, "backend frame " + f.width() + "x" + f.height()
                    + " (stride " + f.stride() + ", " + f.pixels().remaining() + " bytes) does not hold scanout "
                    + s.width() + "x" + s.height() + "+" + s.x() + "+" + s.y());
        }
        ByteBuffer view = f.pixels().duplicate().order(f.pixels().order());
        view.position((int) start);
        return new Frame(f.format(), s.width(), s.height(), f.stride(), view);
    }

    /** The part of flush rectangle {@code r} that scanout {@code s} shows, in scanout coordinates; null if none. */
    private static dev.neep.gpu.api.Rect dirty(Rect r, ScanoutState s) {
        long x0 = Math.max(Integer.toUnsignedLong(r.x()), s.x());
        long y0 = Math.max(Integer.toUnsignedLong(r.y()), s.y());
        long x1 = Math.min(Integer.toUnsignedLong(r.x()) + Integer.toUnsignedLong(r.width()),
                (long) s.x() + s.width());
        long y1 = Math.min(Integer.toUnsignedLong(r.y()) + Integer.toUnsignedLong(r.height()),
                (long) s.y() + s.height());
        if (x1 <= x0 || y1 <= y0) {
            return null;
        }
        return new dev.neep.gpu.api.Rect((int) (x0 - s.x()), (int) (y0 - s.y()), (int) (x1 - x0), (int) (y1 - y0));
    }

    // ---- contexts and 3D ----

    private Reply ctxCreate(CtxCreate c) {
        Reply bad = require3d(c.hdr());
        if (bad != null) {
            return bad;
        }
        int ctx = c.hdr().ctxId();
        if (ctx == 0 || contexts.containsKey(ctx)) {
            return guest(c.hdr(), "ctx_id", "context id " + Integer.toUnsignedString(ctx)
                    + (ctx == 0 ? " is reserved" : " is in use"), RESP_ERR_INVALID_CONTEXT_ID);
        }
        if (Integer.compareUnsigned(c.nlen(), CtxCreate.DEBUG_NAME_CAPACITY) > 0) {
            return guest(c.hdr(), "nlen", "nlen " + Integer.toUnsignedString(c.nlen()) + " > "
                    + CtxCreate.DEBUG_NAME_CAPACITY, RESP_ERR_INVALID_PARAMETER);
        }
        int init = c.contextInit();
        if (init != 0 && !negotiated(GpuFeatures.CONTEXT_INIT)) {
            return guest(c.hdr(), "context_init", "context_init 0x" + Integer.toHexString(init)
                    + " without VIRTIO_GPU_F_CONTEXT_INIT", RESP_ERR_INVALID_PARAMETER);
        }
        if ((init & ~CapsetIds.CONTEXT_INIT_CAPSET_ID_MASK) != 0) {
            return guest(c.hdr(), "context_init", "reserved bits set in context_init 0x" + Integer.toHexString(init),
                    RESP_ERR_INVALID_PARAMETER);
        }
        int capset = c.capsetId();
        if (capset != 0 && capsets.stream().noneMatch(i -> i.capsetId() == capset)) {
            return guest(c.hdr(), "context_init capset", "capset " + CapsetIds.name(capset) + " is not offered",
                    RESP_ERR_INVALID_PARAMETER);
        }
        Reply failed = call("CMD_CTX_CREATE", b -> b.contextCreate(ctx, init, c.debugName()));
        if (failed != null) {
            return failed;
        }
        contexts.put(ctx, capset);
        return Reply.OK;
    }

    private Reply ctxDestroy(CtxDestroy c) {
        Reply bad = require3dContext(c.hdr());
        if (bad != null) {
            return bad;
        }
        int ctx = c.hdr().ctxId();
        Reply failed = call("CMD_CTX_DESTROY", b -> b.contextDestroy(ctx));
        contexts.remove(ctx);
        contextDestroyed.accept(ctx);
        return failed != null ? failed : Reply.OK;
    }

    private Reply ctxResource(CtxResource c, boolean attach) {
        Reply bad = require3dContext(c.hdr());
        if (bad != null) {
            return bad;
        }
        Resource res = resources.get(c.resourceId());
        if (res == null) {
            return unknownResource(c.hdr(), c.resourceId());
        }
        int ctx = c.hdr().ctxId();
        Reply failed = attach
                ? call("CMD_CTX_ATTACH_RESOURCE", b -> b.contextAttachResource(ctx, res.id))
                : call("CMD_CTX_DETACH_RESOURCE", b -> b.contextDetachResource(ctx, res.id));
        return failed != null ? failed : Reply.OK;
    }

    private Reply submit3d(Submit3d s, ChainReader trailing) {
        Reply bad = require3dContext(s.hdr());
        if (bad != null) {
            return bad;
        }
        long size = Integer.toUnsignedLong(s.size());
        if (size > trailing.remaining()) {
            return guest(s.hdr(), "size", "size " + size + " but the chain carries " + trailing.remaining()
                    + " command bytes", RESP_ERR_INVALID_PARAMETER);
        }
        if (size > MAX_SUBMIT_BYTES) {
            return guest(s.hdr(), "size limit", "size " + size + " above the device's limit of " + MAX_SUBMIT_BYTES,
                    RESP_ERR_INVALID_PARAMETER);
        }
        ByteBuffer commands = trailing.readBuffer((int) size);
        int ctx = s.hdr().ctxId();
        Reply failed = call("CMD_SUBMIT_3D", b -> b.submitCommand(ctx, commands, new long[0]));
        return failed != null ? failed : Reply.OK;
    }

    // ---- the cursor queue ----

    /** One cursor command; cursor commands have no answer, the caller gives the chain back with length 0. */
    void processCursor(ChainReader in) {
        if (in.remaining() < UpdateCursor.SIZE) {
            log.guest("cursorq: short request", "chain has " + in.remaining() + " readable bytes, a cursor command"
                    + " needs " + UpdateCursor.SIZE);
            return;
        }
        UpdateCursor c = UpdateCursor.decode(in.readBuffer(UpdateCursor.SIZE)).value();
        int type = c.hdr().type();
        String name = CtrlType.name(type);
        if (!CtrlType.isCursorCommand(type)) {
            log.guest("cursorq: not a cursor command", name + " ignored on the cursor queue");
            return;
        }
        int i = c.pos().scanoutId();
        if (Integer.compareUnsigned(i, scanouts.length) >= 0) {
            log.guest(name + ": scanout_id", "scanout " + Integer.toUnsignedString(i) + " >= max_outputs "
                    + scanouts.length);
            return;
        }
        if (type == CtrlType.CMD_UPDATE_CURSOR) {
            if (!defineCursor(c, i)) {
                return;
            }
        }
        sinks.cursorMoved(i, c.pos().x(), c.pos().y());
    }

    private boolean defineCursor(UpdateCursor c, int scanoutId) {
        String name = "CMD_UPDATE_CURSOR";
        if (c.resourceId() == 0) {
            cursors[scanoutId] = null;
            sinks.cursorDefined(scanoutId, null);
            return true;
        }
        Resource res = resources.get(c.resourceId());
        if (res == null) {
            log.guest(name + ": resource_id", "resource " + Integer.toUnsignedString(c.resourceId())
                    + " does not exist");
            return false;
        }
        // CVE-2016-9846: a cursor resource of another size must not be read as a 64x64 image.
        if (res.isBlob() || res.width != CURSOR_SIZE || res.height != CURSOR_SIZE) {
            log.guest(name + ": size", res + " is " + size(res.width, res.height) + ", a cursor is "
                    + CURSOR_SIZE + "x" + CURSOR_SIZE);
            return false;
        }
        if (Integer.compareUnsigned(c.hotX(), CURSOR_SIZE) >= 0
                || Integer.compareUnsigned(c.hotY(), CURSOR_SIZE) >= 0) {
            log.guest(name + ": hot spot", "hot spot " + Integer.toUnsignedString(c.hotX()) + ","
                    + Integer.toUnsignedString(c.hotY()) + " outside the cursor");
            return false;
        }
        if (headless) {
            return true;
        }
        CursorImage image;
        try {
            image = cursorImage(res, c.hotX(), c.hotY());
        } catch (GpuBackendException | RuntimeException e) {
            log.host(name + ": pixels", "no cursor pixels for " + res + ": " + e.getMessage(), e);
            return false;
        }
        cursors[scanoutId] = image;
        sinks.cursorDefined(scanoutId, image);
        return true;
    }

    private CursorImage cursorImage(Resource res, int hotX, int hotY) throws GpuBackendException {
        if (backend == null) {
            throw new GpuBackendException(RESP_ERR_UNSPEC, noBackendReason);
        }
        Frame f = backend.frame(res.id);
        if (!Formats.isSupported2d(f.format()) || f.width() != CURSOR_SIZE || f.height() != CURSOR_SIZE) {
            throw new GpuBackendException(RESP_ERR_UNSPEC, "cursor frame " + f.width() + "x" + f.height() + " in "
                    + Formats.name(f.format()));
        }
        int[] argb = new int[CURSOR_SIZE * CURSOR_SIZE];
        int base = f.pixels().position();
        for (int y = 0; y < CURSOR_SIZE; y++) {
            Formats.toArgb(f.format(), f.pixels(), base + y * f.stride(), argb, y * CURSOR_SIZE, CURSOR_SIZE);
        }
        return new CursorImage(CURSOR_SIZE, CURSOR_SIZE, hotX, hotY, argb);
    }

    // ---- sinks ----

    /** Brings a sink that bound late up to date: every enabled scanout, a full frame of it, the cursors. */
    void replay(DisplaySink sink) {
        for (int i = 0; i < scanouts.length; i++) {
            ScanoutState s = scanouts[i];
            int id = i;
            if (s != null) {
                sinks.to(sink, "scanoutChanged", k -> k.scanoutChanged(id, s.toScanout()));
                if (!headless) {
                    try {
                        Frame f = scanoutFrame(s);
                        dev.neep.gpu.api.Rect all = new dev.neep.gpu.api.Rect(0, 0, s.width(), s.height());
                        sinks.to(sink, "frameUpdated", k -> k.frameUpdated(id, all, SinkHub.readOnly(f)));
                    } catch (GpuBackendException | RuntimeException e) {
                        log.host("replay: frame", "no pixels for scanout " + i + " of a new sink: "
                                + e.getMessage(), e);
                    }
                }
            }
            CursorImage cursor = cursors[i];
            if (cursor != null) {
                sinks.to(sink, "cursorDefined", k -> k.cursorDefined(id, cursor));
            }
        }
    }

    // ---- shared checks ----

    private Reply checkNewResourceId(CtrlHdr h, int id) {
        if (id == 0) {
            return guest(h, "resource_id", "resource id 0 is reserved", RESP_ERR_INVALID_RESOURCE_ID);
        }
        if (resources.containsKey(id)) {
            // QEMU's choice for a duplicate id
            return guest(h, "resource_id in use", "resource " + Integer.toUnsignedString(id) + " already exists",
                    RESP_ERR_INVALID_RESOURCE_ID);
        }
        return null;
    }

    private Reply unknownResource(CtrlHdr h, int id) {
        return guest(h, "resource_id", "resource " + Integer.toUnsignedString(id) + " does not exist",
                RESP_ERR_INVALID_RESOURCE_ID);
    }

    /** 3D commands exist only with VIRTIO_GPU_F_VIRGL; without it they are unknown, as on QEMU's 2D device. */
    private Reply require3d(CtrlHdr h) {
        if (!negotiated(GpuFeatures.VIRGL)) {
            return guest(h, "3D not negotiated", "a 3D command without VIRTIO_GPU_F_VIRGL", RESP_ERR_UNSPEC);
        }
        return null;
    }

    /** 3D negotiated and {@code ctx_id} names a live context, or the answer why not. */
    private Reply require3dContext(CtrlHdr h) {
        Reply bad = require3d(h);
        if (bad != null) {
            return bad;
        }
        if (h.ctxId() == 0 || !contexts.containsKey(h.ctxId())) {
            return guest(h, "ctx_id", "context " + Integer.toUnsignedString(h.ctxId()) + " does not exist",
                    RESP_ERR_INVALID_CONTEXT_ID);
        }
        return null;
    }

    /** Guest pages named by {@code nr} memory entries after the request, as views, or why they are refused. */
    private Backing mapEntries(CtrlHdr h, int nr, ChainReader trailing) {
        long count = Integer.toUnsignedLong(nr);
        if (count > MAX_MEM_ENTRIES) {
            return Backing.refusing(guest(h, "nr_entries", "nr_entries " + count + " > " + MAX_MEM_ENTRIES,
                    RESP_ERR_UNSPEC));
        }
        long bytes = count * MemEntry.SIZE;
        if (bytes > trailing.remaining()) {
            return Backing.refusing(guest(h, "entries missing", "nr_entries " + count + " needs " + bytes
                    + " bytes, the chain carries " + trailing.remaining(), RESP_ERR_UNSPEC));
        }
        Decoded<List<MemEntry>> entries = MemEntry.decodeAll(trailing.readBuffer((int) bytes), nr);
        if (!entries.isOk()) {
            return Backing.refusing(guest(h, "entries", entries.error().message(), RESP_ERR_UNSPEC));
        }
        if (memory == null) {
            return Backing.refusing(guest(h, "no guest memory", "the device is not active", RESP_ERR_UNSPEC));
        }
        List<ByteBuffer> views = new ArrayList<>();
        long total = 0;
        int index = 0;
        for (MemEntry e : entries.value()) {
            long length = e.lengthUnsigned();
            if (length != 0) {
                if (!memory.contains(e.addr(), length)) {
                    return Backing.refusing(guest(h, "entry outside guest memory", "entry " + index + " addr 0x"
                            + Long.toHexString(e.addr()) + " length " + length + " is not guest memory",
                            RESP_ERR_UNSPEC));
                }
                views.addAll(memory.slices(e.addr(), length));
                total += length;
            }
            index++;
        }
        return new Backing(views, total, null);
    }

    /** Views of guest memory backing a resource and their total length, or the answer refusing them. */
    private record Backing(List<ByteBuffer> views, long length, Reply refused) {
        static final Backing NONE = new Backing(List.of(), 0, null);

        static Backing refusing(Reply answer) {
            return new Backing(List.of(), 0, answer);
        }
    }

    /** Calls the backend; null when it succeeded, else the answer, its cause logged once. */
    private Reply call(String what, BackendCall c) {
        if (backend == null) {
            log.host("no backend", noBackendReason + "; every command that needs one is answered RESP_ERR_UNSPEC",
                    null);
            return Reply.error(RESP_ERR_UNSPEC);
        }
        backendTouched = true;
        try {
            c.run(backend);
            return null;
        } catch (GpuBackendException e) {
            int type = validError(e.responseType());
            log.host(what + ": " + CtrlType.name(type), e.getMessage(), e);
            return Reply.error(type);
        } catch (RuntimeException e) {
            log.host(what + ": " + e.getClass().getName(), "the backend threw against its contract", e);
            return Reply.error(RESP_ERR_UNSPEC);
        }
    }

    private static int validError(int type) {
        return CtrlType.isError(type) ? type : RESP_ERR_UNSPEC;
    }

    private Reply guest(CtrlHdr h, String cause, String detail, int answer) {
        log.guest(CtrlType.name(h.type()) + ": " + cause, detail + " -> " + CtrlType.name(answer));
        return Reply.error(answer);
    }

    private boolean negotiated(int bit) {
        return GpuFeatures.has(features, bit);
    }

    /** {@code r} lies inside a {@code width} x {@code height} resource (u32 sums in a long cannot overflow). */
    private static boolean inside(Rect r, int width, int height) {
        return Integer.toUnsignedLong(r.x()) + Integer.toUnsignedLong(r.width()) <= Integer.toUnsignedLong(width)
                && Integer.toUnsignedLong(r.y()) + Integer.toUnsignedLong(r.height()) <= Integer.toUnsignedLong(height);
    }

    /** QEMU's scanout rule: inside the framebuffer and at least 16x16. */
    private static boolean scanoutRectValid(Rect r, int width, int height) {
        return Integer.compareUnsigned(r.width(), DeviceConfig.MIN_RESOLUTION) >= 0
                && Integer.compareUnsigned(r.height(), DeviceConfig.MIN_RESOLUTION) >= 0 && inside(r, width, height);
    }

    private static String size(int w, int h) {
        return Integer.toUnsignedString(w) + "x" + Integer.toUnsignedString(h);
    }

    private static String rect(Rect r) {
        return "rect " + size(r.width(), r.height()) + "+" + Integer.toUnsignedString(r.x()) + "+"
                + Integer.toUnsignedString(r.y());
    }
}
