package dev.neep.gpu.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** One instance of every struct, every field a distinct non-zero value, so a swapped field shows. */
final class Samples {
    private Samples() {
    }

    static CtrlHdr hdr(int type) {
        int flags = CtrlFlags.FLAG_FENCE | CtrlFlags.FLAG_INFO_RING_IDX;
        return new CtrlHdr(type, flags, 0x1122334455667788L, 0x0a0b0c0d, 0xe7);
    }

    static Rect rect() {
        return new Rect(11, 22, 1024, 768);
    }

    static GetDisplayInfo getDisplayInfo() {
        return new GetDisplayInfo(hdr(CtrlType.CMD_GET_DISPLAY_INFO));
    }

    static RespDisplayInfo respDisplayInfo() {
        List<DisplayOne> modes = new ArrayList<>();
        for (int i = 0; i < RespDisplayInfo.MAX_SCANOUTS; i++) {
            modes.add(new DisplayOne(new Rect(i, i + 1, 640 + i, 480 + i), i % 2, 0x100 + i));
        }
        return new RespDisplayInfo(hdr(CtrlType.RESP_OK_DISPLAY_INFO), modes);
    }

    static ResourceCreate2d resourceCreate2d() {
        return new ResourceCreate2d(hdr(CtrlType.CMD_RESOURCE_CREATE_2D), 7, Formats.B8G8R8X8_UNORM, 1280, 800);
    }

    static ResourceUnref resourceUnref() {
        return new ResourceUnref(hdr(CtrlType.CMD_RESOURCE_UNREF), 0xfffffffe);
    }

    static SetScanout setScanout() {
        return new SetScanout(hdr(CtrlType.CMD_SET_SCANOUT), rect(), 3, 7);
    }

    static ResourceFlush resourceFlush() {
        return new ResourceFlush(hdr(CtrlType.CMD_RESOURCE_FLUSH), rect(), 9);
    }

    static TransferToHost2d transferToHost2d() {
        return new TransferToHost2d(hdr(CtrlType.CMD_TRANSFER_TO_HOST_2D), rect(), 0x8000_0000_1000L, 12);
    }

    static MemEntry memEntry() {
        return new MemEntry(0xfedc_ba98_7654_3000L, 0x8000_1000);
    }

    static ResourceAttachBacking resourceAttachBacking() {
        return new ResourceAttachBacking(hdr(CtrlType.CMD_RESOURCE_ATTACH_BACKING), 13, 2);
    }

    static ResourceDetachBacking resourceDetachBacking() {
        return new ResourceDetachBacking(hdr(CtrlType.CMD_RESOURCE_DETACH_BACKING), 14);
    }

    static GetCapsetInfo getCapsetInfo() {
        return new GetCapsetInfo(hdr(CtrlType.CMD_GET_CAPSET_INFO), 1);
    }

    static RespCapsetInfo respCapsetInfo() {
        return new RespCapsetInfo(hdr(CtrlType.RESP_OK_CAPSET_INFO), CapsetIds.VENUS, 3, 160);
    }

    static GetCapset getCapset() {
        return new GetCapset(hdr(CtrlType.CMD_GET_CAPSET), CapsetIds.VIRGL2, 2);
    }

    static RespCapset respCapset() {
        return new RespCapset(hdr(CtrlType.RESP_OK_CAPSET), new byte[] {1, 2, 3, 4, 5, (byte) 0xff});
    }

    static GetEdid getEdid() {
        return new GetEdid(hdr(CtrlType.CMD_GET_EDID), 2);
    }

    static RespEdid respEdid() {
        byte[] blob = new byte[128];
        for (int i = 0; i < blob.length; i++) {
            blob[i] = (byte) (i * 7 + 1);
        }
        return RespEdid.of(hdr(CtrlType.RESP_OK_EDID), blob);
    }

    static ResourceAssignUuid resourceAssignUuid() {
        return new ResourceAssignUuid(hdr(CtrlType.CMD_RESOURCE_ASSIGN_UUID), 15);
    }

    static RespResourceUuid respResourceUuid() {
        return new RespResourceUuid(hdr(CtrlType.RESP_OK_RESOURCE_UUID),
                UUID.fromString("00112233-4455-6677-8899-aabbccddeeff"));
    }

    static ResourceCreateBlob resourceCreateBlob() {
        return new ResourceCreateBlob(hdr(CtrlType.CMD_RESOURCE_CREATE_BLOB), 16, Blobs.BLOB_MEM_HOST3D,
                Blobs.BLOB_FLAG_USE_MAPPABLE | Blobs.BLOB_FLAG_USE_SHAREABLE, 3, 0x0102030405060708L, 0x10_0000_0000L);
    }

    static SetScanoutBlob setScanoutBlob() {
        return new SetScanoutBlob(hdr(CtrlType.CMD_SET_SCANOUT_BLOB), rect(), 1, 16, 1920, 1080,
                Formats.B8G8R8A8_UNORM, List.of(7680, 3840, 3, 4), List.of(0, 8294400, 5, 6));
    }

    static CtxCreate ctxCreate() {
        return CtxCreate.of(hdr(CtrlType.CMD_CTX_CREATE), CapsetIds.VENUS, "neep-test");
    }

    static CtxDestroy ctxDestroy() {
        return new CtxDestroy(hdr(CtrlType.CMD_CTX_DESTROY));
    }

    static CtxResource ctxResource() {
        return new CtxResource(hdr(CtrlType.CMD_CTX_ATTACH_RESOURCE), 17);
    }

    static ResourceCreate3d resourceCreate3d() {
        return new ResourceCreate3d(hdr(CtrlType.CMD_RESOURCE_CREATE_3D), 18, 2, 67, 0x0a, 256, 128, 1, 6, 8, 4,
                ResourceCreate3d.FLAG_Y_0_TOP);
    }

    static Box box() {
        return new Box(1, 2, 3, 40, 50, 60);
    }

    static TransferHost3d transferHost3d() {
        return new TransferHost3d(hdr(CtrlType.CMD_TRANSFER_TO_HOST_3D), box(), 0x1000_0000_0000L, 19, 2, 1024, 4096);
    }

    static Submit3d submit3d() {
        return new Submit3d(hdr(CtrlType.CMD_SUBMIT_3D), 4096);
    }

    static ResourceMapBlob resourceMapBlob() {
        return new ResourceMapBlob(hdr(CtrlType.CMD_RESOURCE_MAP_BLOB), 20, 0x2000_0000L);
    }

    static RespMapInfo respMapInfo() {
        return new RespMapInfo(hdr(CtrlType.RESP_OK_MAP_INFO), Blobs.MAP_CACHE_WC);
    }

    static ResourceUnmapBlob resourceUnmapBlob() {
        return new ResourceUnmapBlob(hdr(CtrlType.CMD_RESOURCE_UNMAP_BLOB), 21);
    }

    static CursorPos cursorPos() {
        return new CursorPos(1, 300, 200);
    }

    static UpdateCursor updateCursor() {
        return new UpdateCursor(hdr(CtrlType.CMD_UPDATE_CURSOR), cursorPos(), 22, 5, 6);
    }

    static UpdateCursor moveCursor() {
        return new UpdateCursor(hdr(CtrlType.CMD_MOVE_CURSOR), new CursorPos(0, 17, 19), 0, 0, 0);
    }

    static RespNoData respNoData() {
        return new RespNoData(hdr(CtrlType.RESP_OK_NODATA));
    }

    static GpuConfig gpuConfig() {
        return new GpuConfig(GpuEvents.EVENT_DISPLAY, 0, 2, 3);
    }
}
