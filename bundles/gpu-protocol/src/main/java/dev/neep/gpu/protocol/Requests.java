package dev.neep.gpu.protocol;

import java.nio.ByteBuffer;

/** Decoding of a request whose type is not yet known: read the header, then the struct it names. */
public final class Requests {
    private Requests() {
    }

    /**
     * Decodes the request at the source's position. On success the position is past the fixed
     * part (where ATTACH_BACKING's entries or SUBMIT_3D's command bytes begin); on error it is
     * unchanged and the error names the short field, or the unknown type.
     */
    public static Decoded<Request> decode(ByteBuffer src) {
        Decoded<CtrlHdr> hdr = CtrlHdr.decode(src.duplicate());
        if (!hdr.isOk()) {
            return Decoded.failed(hdr.error());
        }
        int type = hdr.value().type();
        switch (type) {
            case CtrlType.CMD_GET_DISPLAY_INFO: return widen(GetDisplayInfo.decode(src));
            case CtrlType.CMD_RESOURCE_CREATE_2D: return widen(ResourceCreate2d.decode(src));
            case CtrlType.CMD_RESOURCE_UNREF: return widen(ResourceUnref.decode(src));
            case CtrlType.CMD_SET_SCANOUT: return widen(SetScanout.decode(src));
            case CtrlType.CMD_RESOURCE_FLUSH: return widen(ResourceFlush.decode(src));
            case CtrlType.CMD_TRANSFER_TO_HOST_2D: return widen(TransferToHost2d.decode(src));
            case CtrlType.CMD_RESOURCE_ATTACH_BACKING: return widen(ResourceAttachBacking.decode(src));
            case CtrlType.CMD_RESOURCE_DETACH_BACKING: return widen(ResourceDetachBacking.decode(src));
            case CtrlType.CMD_GET_CAPSET_INFO: return widen(GetCapsetInfo.decode(src));
            case CtrlType.CMD_GET_CAPSET: return widen(GetCapset.decode(src));
            case CtrlType.CMD_GET_EDID: return widen(GetEdid.decode(src));
            case CtrlType.CMD_RESOURCE_ASSIGN_UUID: return widen(ResourceAssignUuid.decode(src));
            case CtrlType.CMD_RESOURCE_CREATE_BLOB: return widen(ResourceCreateBlob.decode(src));
            case CtrlType.CMD_SET_SCANOUT_BLOB: return widen(SetScanoutBlob.decode(src));
            case CtrlType.CMD_CTX_CREATE: return widen(CtxCreate.decode(src));
            case CtrlType.CMD_CTX_DESTROY: return widen(CtxDestroy.decode(src));
            case CtrlType.CMD_CTX_ATTACH_RESOURCE:
            case CtrlType.CMD_CTX_DETACH_RESOURCE: return widen(CtxResource.decode(src));
            case CtrlType.CMD_RESOURCE_CREATE_3D: return widen(ResourceCreate3d.decode(src));
            case CtrlType.CMD_TRANSFER_TO_HOST_3D:
            case CtrlType.CMD_TRANSFER_FROM_HOST_3D: return widen(TransferHost3d.decode(src));
            case CtrlType.CMD_SUBMIT_3D: return widen(Submit3d.decode(src));
            case CtrlType.CMD_RESOURCE_MAP_BLOB: return widen(ResourceMapBlob.decode(src));
            case CtrlType.CMD_RESOURCE_UNMAP_BLOB: return widen(ResourceUnmapBlob.decode(src));
            case CtrlType.CMD_UPDATE_CURSOR:
            case CtrlType.CMD_MOVE_CURSOR: return widen(UpdateCursor.decode(src));
            default: return Decoded.failed(DecodeError.unknownType(type));
        }
    }

    /**
     * Size of the fixed part of command {@code type} (what a device reads before any trailing
     * entries or command bytes), or -1 for a type that is not a command.
     */
    public static int fixedSize(int type) {
        switch (type) {
            case CtrlType.CMD_GET_DISPLAY_INFO: return GetDisplayInfo.SIZE;
            case CtrlType.CMD_RESOURCE_CREATE_2D: return ResourceCreate2d.SIZE;
            case CtrlType.CMD_RESOURCE_UNREF: return ResourceUnref.SIZE;
            case CtrlType.CMD_SET_SCANOUT: return SetScanout.SIZE;
            case CtrlType.CMD_RESOURCE_FLUSH: return ResourceFlush.SIZE;
            case CtrlType.CMD_TRANSFER_TO_HOST_2D: return TransferToHost2d.SIZE;
            case CtrlType.CMD_RESOURCE_ATTACH_BACKING: return ResourceAttachBacking.SIZE;
            case CtrlType.CMD_RESOURCE_DETACH_BACKING: return ResourceDetachBacking.SIZE;
            case CtrlType.CMD_GET_CAPSET_INFO: return GetCapsetInfo.SIZE;
            case CtrlType.CMD_GET_CAPSET: return GetCapset.SIZE;
            case CtrlType.CMD_GET_EDID: return GetEdid.SIZE;
            case CtrlType.CMD_RESOURCE_ASSIGN_UUID: return ResourceAssignUuid.SIZE;
            case CtrlType.CMD_RESOURCE_CREATE_BLOB: return ResourceCreateBlob.SIZE;
            case CtrlType.CMD_SET_SCANOUT_BLOB: return SetScanoutBlob.SIZE;
            case CtrlType.CMD_CTX_CREATE: return CtxCreate.SIZE;
            case CtrlType.CMD_CTX_DESTROY: return CtxDestroy.SIZE;
            case CtrlType.CMD_CTX_ATTACH_RESOURCE:
            case CtrlType.CMD_CTX_DETACH_RESOURCE: return CtxResource.SIZE;
            case CtrlType.CMD_RESOURCE_CREATE_3D: return ResourceCreate3d.SIZE;
            case CtrlType.CMD_TRANSFER_TO_HOST_3D:
            case CtrlType.CMD_TRANSFER_FROM_HOST_3D: return TransferHost3d.SIZE;
            case CtrlType.CMD_SUBMIT_3D: return Submit3d.SIZE;
            case CtrlType.CMD_RESOURCE_MAP_BLOB: return ResourceMapBlob.SIZE;
            case CtrlType.CMD_RESOURCE_UNMAP_BLOB: return ResourceUnmapBlob.SIZE;
            case CtrlType.CMD_UPDATE_CURSOR:
            case CtrlType.CMD_MOVE_CURSOR: return UpdateCursor.SIZE;
            default: return -1;
        }
    }

    // Safe: Decoded is immutable, so a Decoded<Sub> can be read as a Decoded<Request>.
    @SuppressWarnings("unchecked")
    private static Decoded<Request> widen(Decoded<? extends Request> d) {
        return (Decoded<Request>) d;
    }
}
