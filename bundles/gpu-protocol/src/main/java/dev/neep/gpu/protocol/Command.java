package dev.neep.gpu.protocol;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The virtio-gpu commands, one entry each, and the only place a command's wire facts are
 * declared: its {@code type}, the queue it belongs on, the struct it carries (size of the
 * fixed part and decoder) and the size of the answer it gets when it succeeds. Decoding, a
 * device's framing and a device's dispatch all read this table.
 *
 * <p>Several commands share a struct ({@link CtxResource}, {@link TransferHost3d},
 * {@link UpdateCursor}); {@code R} is the struct, {@code hdr().type()} tells them apart.
 *
 * @param <R> the request struct
 */
public final class Command<R extends Request> {

    /** The virtqueue a command is sent on. */
    public enum Queue {
        /** Queue 0: every command gets an answer. */
        CONTROL,
        /** Queue 1: UPDATE_CURSOR and MOVE_CURSOR, which get none. */
        CURSOR
    }

    // Before the entries below, which add themselves as the class initialises.
    private static final Map<Integer, Command<?>> BY_TYPE = new HashMap<>();
    private static final List<Command<?>> ALL = new ArrayList<>();

    public static final Command<GetDisplayInfo> GET_DISPLAY_INFO = control(CtrlType.CMD_GET_DISPLAY_INFO,
            GetDisplayInfo.STRUCT, GetDisplayInfo.SIZE, GetDisplayInfo::read, RespDisplayInfo.SIZE);
    public static final Command<ResourceCreate2d> RESOURCE_CREATE_2D = control(CtrlType.CMD_RESOURCE_CREATE_2D,
            ResourceCreate2d.STRUCT, ResourceCreate2d.SIZE, ResourceCreate2d::read, RespNoData.SIZE);
    public static final Command<ResourceUnref> RESOURCE_UNREF = control(CtrlType.CMD_RESOURCE_UNREF,
            ResourceUnref.STRUCT, ResourceUnref.SIZE, ResourceUnref::read, RespNoData.SIZE);
    public static final Command<SetScanout> SET_SCANOUT = control(CtrlType.CMD_SET_SCANOUT,
            SetScanout.STRUCT, SetScanout.SIZE, SetScanout::read, RespNoData.SIZE);
    public static final Command<ResourceFlush> RESOURCE_FLUSH = control(CtrlType.CMD_RESOURCE_FLUSH,
            ResourceFlush.STRUCT, ResourceFlush.SIZE, ResourceFlush::read, RespNoData.SIZE);
    public static final Command<TransferToHost2d> TRANSFER_TO_HOST_2D = control(CtrlType.CMD_TRANSFER_TO_HOST_2D,
            TransferToHost2d.STRUCT, TransferToHost2d.SIZE, TransferToHost2d::read, RespNoData.SIZE);
    /** {@code nr_entries} {@link MemEntry} structs follow the fixed part. */
    public static final Command<ResourceAttachBacking> RESOURCE_ATTACH_BACKING = control(
            CtrlType.CMD_RESOURCE_ATTACH_BACKING, ResourceAttachBacking.STRUCT, ResourceAttachBacking.SIZE,
            ResourceAttachBacking::read, RespNoData.SIZE);
    public static final Command<ResourceDetachBacking> RESOURCE_DETACH_BACKING = control(
            CtrlType.CMD_RESOURCE_DETACH_BACKING, ResourceDetachBacking.STRUCT, ResourceDetachBacking.SIZE,
            ResourceDetachBacking::read, RespNoData.SIZE);
    public static final Command<GetCapsetInfo> GET_CAPSET_INFO = control(CtrlType.CMD_GET_CAPSET_INFO,
            GetCapsetInfo.STRUCT, GetCapsetInfo.SIZE, GetCapsetInfo::read, RespCapsetInfo.SIZE);
    /** The answer's fixed part: the capset's {@code max_size} bytes follow it. */
    public static final Command<GetCapset> GET_CAPSET = control(CtrlType.CMD_GET_CAPSET,
            GetCapset.STRUCT, GetCapset.SIZE, GetCapset::read, RespCapset.SIZE);
    public static final Command<GetEdid> GET_EDID = control(CtrlType.CMD_GET_EDID,
            GetEdid.STRUCT, GetEdid.SIZE, GetEdid::read, RespEdid.SIZE);
    public static final Command<ResourceAssignUuid> RESOURCE_ASSIGN_UUID = control(
            CtrlType.CMD_RESOURCE_ASSIGN_UUID, ResourceAssignUuid.STRUCT, ResourceAssignUuid.SIZE,
            ResourceAssignUuid::read, RespResourceUuid.SIZE);
    /** {@code nr_entries} {@link MemEntry} structs follow the fixed part. */
    public static final Command<ResourceCreateBlob> RESOURCE_CREATE_BLOB = control(
            CtrlType.CMD_RESOURCE_CREATE_BLOB, ResourceCreateBlob.STRUCT, ResourceCreateBlob.SIZE,
            ResourceCreateBlob::read, RespNoData.SIZE);
    public static final Command<SetScanoutBlob> SET_SCANOUT_BLOB = control(CtrlType.CMD_SET_SCANOUT_BLOB,
            SetScanoutBlob.STRUCT, SetScanoutBlob.SIZE, SetScanoutBlob::read, RespNoData.SIZE);

    public static final Command<CtxCreate> CTX_CREATE = control(CtrlType.CMD_CTX_CREATE,
            CtxCreate.STRUCT, CtxCreate.SIZE, CtxCreate::read, RespNoData.SIZE);
    public static final Command<CtxDestroy> CTX_DESTROY = control(CtrlType.CMD_CTX_DESTROY,
            CtxDestroy.STRUCT, CtxDestroy.SIZE, CtxDestroy::read, RespNoData.SIZE);
    public static final Command<CtxResource> CTX_ATTACH_RESOURCE = control(CtrlType.CMD_CTX_ATTACH_RESOURCE,
            CtxResource.STRUCT, CtxResource.SIZE, CtxResource::read, RespNoData.SIZE);
    public static final Command<CtxResource> CTX_DETACH_RESOURCE = control(CtrlType.CMD_CTX_DETACH_RESOURCE,
            CtxResource.STRUCT, CtxResource.SIZE, CtxResource::read, RespNoData.SIZE);
    public static final Command<ResourceCreate3d> RESOURCE_CREATE_3D = control(CtrlType.CMD_RESOURCE_CREATE_3D,
            ResourceCreate3d.STRUCT, ResourceCreate3d.SIZE, ResourceCreate3d::read, RespNoData.SIZE);
    public static final Command<TransferHost3d> TRANSFER_TO_HOST_3D = control(CtrlType.CMD_TRANSFER_TO_HOST_3D,
            TransferHost3d.STRUCT, TransferHost3d.SIZE, TransferHost3d::read, RespNoData.SIZE);
    public static final Command<TransferHost3d> TRANSFER_FROM_HOST_3D = control(
            CtrlType.CMD_TRANSFER_FROM_HOST_3D, TransferHost3d.STRUCT, TransferHost3d.SIZE, TransferHost3d::read,
            RespNoData.SIZE);
    /** {@code size} bytes of command stream follow the fixed part. */
    public static final Command<Submit3d> SUBMIT_3D = control(CtrlType.CMD_SUBMIT_3D,
            Submit3d.STRUCT, Submit3d.SIZE, Submit3d::read, RespNoData.SIZE);
    public static final Command<ResourceMapBlob> RESOURCE_MAP_BLOB = control(CtrlType.CMD_RESOURCE_MAP_BLOB,
            ResourceMapBlob.STRUCT, ResourceMapBlob.SIZE, ResourceMapBlob::read, RespMapInfo.SIZE);
    public static final Command<ResourceUnmapBlob> RESOURCE_UNMAP_BLOB = control(CtrlType.CMD_RESOURCE_UNMAP_BLOB,
            ResourceUnmapBlob.STRUCT, ResourceUnmapBlob.SIZE, ResourceUnmapBlob::read, RespNoData.SIZE);

    public static final Command<UpdateCursor> UPDATE_CURSOR = cursor(CtrlType.CMD_UPDATE_CURSOR);
    public static final Command<UpdateCursor> MOVE_CURSOR = cursor(CtrlType.CMD_MOVE_CURSOR);

    private final int type;
    private final Queue queue;
    private final String struct;
    private final int requestSize;
    private final Function<WireReader, R> read;
    private final int responseSize;

    private Command(int type, Queue queue, String struct, int requestSize, Function<WireReader, R> read,
            int responseSize) {
        this.type = type;
        this.queue = queue;
        this.struct = struct;
        this.requestSize = requestSize;
        this.read = read;
        this.responseSize = responseSize;
    }

    private static <R extends Request> Command<R> control(int type, String struct, int requestSize,
            Function<WireReader, R> read, int responseSize) {
        return add(new Command<>(type, Queue.CONTROL, struct, requestSize, read, responseSize));
    }

    private static Command<UpdateCursor> cursor(int type) {
        return add(new Command<>(type, Queue.CURSOR, UpdateCursor.STRUCT, UpdateCursor.SIZE, UpdateCursor::read, 0));
    }

    private static <R extends Request> Command<R> add(Command<R> c) {
        if (BY_TYPE.putIfAbsent(c.type, c) != null) {
            throw new IllegalStateException("two entries for " + c);
        }
        ALL.add(c);
        return c;
    }

    /** The command of {@code type}, or empty when {@code type} is no command (a response type, an unknown value). */
    public static Optional<Command<?>> of(int type) {
        return Optional.ofNullable(BY_TYPE.get(type));
    }

    /** Every command, in the order of the table. */
    public static List<Command<?>> all() {
        return Collections.unmodifiableList(ALL);
    }

    /**
     * Decodes the request at the source's position, whatever its type. On success the position
     * is past the fixed part (where ATTACH_BACKING's entries or SUBMIT_3D's command bytes begin);
     * on error it is unchanged and the error names the short field, or the unknown type.
     */
    public static Decoded<Request> decode(ByteBuffer src) {
        Decoded<CtrlHdr> hdr = CtrlHdr.decode(src.duplicate());
        if (!hdr.isOk()) {
            return Decoded.failed(hdr.error());
        }
        Optional<Command<?>> command = of(hdr.value().type());
        if (command.isEmpty()) {
            return Decoded.failed(DecodeError.unknownType(hdr.value().type()));
        }
        ByteBuffer body = src.duplicate().position(src.position() + CtrlHdr.SIZE);
        Decoded<Request> request = widen(command.get().decodeBody(hdr.value(), body));
        if (request.isOk()) {
            src.position(body.position());
        }
        return request;
    }

    /**
     * Decodes what follows header {@code hdr} (already decoded, of this command's type) in
     * {@code body}: the rest of the fixed part. On success {@code body}'s position is past it;
     * on error it is unchanged, and the error's offsets count from the start of the header.
     */
    public Decoded<R> decodeBody(CtrlHdr hdr, ByteBuffer body) {
        if (hdr.type() != type) {
            throw new IllegalArgumentException(hdr + " is not a header of " + this);
        }
        return WireReader.decodeAfter(hdr, body, struct, read);
    }

    public int type() {
        return type;
    }

    /** The spec's name without the {@code VIRTIO_GPU_} prefix, e.g. {@code CMD_SET_SCANOUT}. */
    public String name() {
        return CtrlType.name(type);
    }

    public Queue queue() {
        return queue;
    }

    /** Size of the fixed part, header included: what a device reads before trailing entries or command bytes. */
    public int requestSize() {
        return requestSize;
    }

    /**
     * Size of the answer to a successful command (of its fixed part for GET_CAPSET, whose
     * capset data follows); 0 for the cursor commands, which get none. Errors are the
     * 24-byte header alone.
     */
    public int responseSize() {
        return responseSize;
    }

    @Override
    public String toString() {
        return name();
    }

    // Safe: Decoded is immutable, so a Decoded<Sub> can be read as a Decoded<Request>.
    @SuppressWarnings("unchecked")
    private static Decoded<Request> widen(Decoded<? extends Request> d) {
        return (Decoded<Request>) d;
    }
}
