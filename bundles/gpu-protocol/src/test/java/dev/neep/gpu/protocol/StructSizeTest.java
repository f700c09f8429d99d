package dev.neep.gpu.protocol;

import static org.junit.Assert.assertEquals;

import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.junit.Test;

/**
 * Every struct's SIZE against sizeof() of the struct in virtio 1.3 §5.7.6 / Linux's
 * include/uapi/linux/virtio_gpu.h, and the encoder writing exactly that many bytes.
 */
public class StructSizeTest {

    private static void assertEncodesTo(int size, Consumer<ByteBuffer> encoder) {
        ByteBuffer b = ByteBuffer.allocate(size + 64);
        b.position(5);
        encoder.accept(b);
        assertEquals("bytes written", size, b.position() - 5);
    }

    @Test
    public void ctrlHdrIs24Bytes() {
        assertEquals(24, CtrlHdr.SIZE);
        assertEncodesTo(24, Samples.hdr(CtrlType.CMD_GET_DISPLAY_INFO)::encode);
    }

    @Test
    public void rectIs16Bytes() {
        assertEquals(16, Rect.SIZE);
        assertEncodesTo(16, Samples.rect()::encode);
    }

    @Test
    public void boxIs24Bytes() {
        assertEquals(24, Box.SIZE);
        assertEncodesTo(24, Samples.box()::encode);
    }

    @Test
    public void cursorPosIs16Bytes() {
        assertEquals(16, CursorPos.SIZE);
        assertEncodesTo(16, Samples.cursorPos()::encode);
    }

    @Test
    public void memEntryIs16Bytes() {
        assertEquals(16, MemEntry.SIZE);
        assertEncodesTo(16, Samples.memEntry()::encode);
    }

    @Test
    public void displayOneIs24Bytes() {
        assertEquals(24, DisplayOne.SIZE);
        assertEncodesTo(24, DisplayOne.DISABLED::encode);
    }

    @Test
    public void getDisplayInfoIs24Bytes() {
        assertEquals(24, GetDisplayInfo.SIZE);
        assertEncodesTo(24, Samples.getDisplayInfo()::encode);
    }

    @Test
    public void respDisplayInfoIs408Bytes() {
        assertEquals(408, RespDisplayInfo.SIZE);
        assertEncodesTo(408, Samples.respDisplayInfo()::encode);
    }

    @Test
    public void resourceCreate2dIs40Bytes() {
        assertEquals(40, ResourceCreate2d.SIZE);
        assertEncodesTo(40, Samples.resourceCreate2d()::encode);
    }

    @Test
    public void resourceUnrefIs32Bytes() {
        assertEquals(32, ResourceUnref.SIZE);
        assertEncodesTo(32, Samples.resourceUnref()::encode);
    }

    @Test
    public void setScanoutIs48Bytes() {
        assertEquals(48, SetScanout.SIZE);
        assertEncodesTo(48, Samples.setScanout()::encode);
    }

    @Test
    public void resourceFlushIs48Bytes() {
        assertEquals(48, ResourceFlush.SIZE);
        assertEncodesTo(48, Samples.resourceFlush()::encode);
    }

    @Test
    public void transferToHost2dIs56Bytes() {
        assertEquals(56, TransferToHost2d.SIZE);
        assertEncodesTo(56, Samples.transferToHost2d()::encode);
    }

    @Test
    public void resourceAttachBackingIs32Bytes() {
        assertEquals(32, ResourceAttachBacking.SIZE);
        assertEncodesTo(32, Samples.resourceAttachBacking()::encode);
    }

    @Test
    public void resourceDetachBackingIs32Bytes() {
        assertEquals(32, ResourceDetachBacking.SIZE);
        assertEncodesTo(32, Samples.resourceDetachBacking()::encode);
    }

    @Test
    public void getCapsetInfoIs32Bytes() {
        assertEquals(32, GetCapsetInfo.SIZE);
        assertEncodesTo(32, Samples.getCapsetInfo()::encode);
    }

    @Test
    public void respCapsetInfoIs40Bytes() {
        assertEquals(40, RespCapsetInfo.SIZE);
        assertEncodesTo(40, Samples.respCapsetInfo()::encode);
    }

    @Test
    public void getCapsetIs32Bytes() {
        assertEquals(32, GetCapset.SIZE);
        assertEncodesTo(32, Samples.getCapset()::encode);
    }

    @Test
    public void getEdidIs32Bytes() {
        assertEquals(32, GetEdid.SIZE);
        assertEncodesTo(32, Samples.getEdid()::encode);
    }

    @Test
    public void respEdidIs1056Bytes() {
        assertEquals(1056, RespEdid.SIZE);
        assertEncodesTo(1056, Samples.respEdid()::encode);
    }

    @Test
    public void resourceAssignUuidIs32Bytes() {
        assertEquals(32, ResourceAssignUuid.SIZE);
        assertEncodesTo(32, Samples.resourceAssignUuid()::encode);
    }

    @Test
    public void respResourceUuidIs40Bytes() {
        assertEquals(40, RespResourceUuid.SIZE);
        assertEncodesTo(40, Samples.respResourceUuid()::encode);
    }

    @Test
    public void resourceCreateBlobIs56Bytes() {
        assertEquals(56, ResourceCreateBlob.SIZE);
        assertEncodesTo(56, Samples.resourceCreateBlob()::encode);
    }

    @Test
    public void setScanoutBlobIs96Bytes() {
        assertEquals(96, SetScanoutBlob.SIZE);
        assertEncodesTo(96, Samples.setScanoutBlob()::encode);
    }

    @Test
    public void ctxCreateIs96Bytes() {
        assertEquals(96, CtxCreate.SIZE);
        assertEncodesTo(96, Samples.ctxCreate()::encode);
    }

    @Test
    public void ctxDestroyIs24Bytes() {
        assertEquals(24, CtxDestroy.SIZE);
        assertEncodesTo(24, Samples.ctxDestroy()::encode);
    }

    @Test
    public void ctxResourceIs32Bytes() {
        assertEquals(32, CtxResource.SIZE);
        assertEncodesTo(32, Samples.ctxResource()::encode);
    }

    @Test
    public void resourceCreate3dIs72Bytes() {
        assertEquals(72, ResourceCreate3d.SIZE);
        assertEncodesTo(72, Samples.resourceCreate3d()::encode);
    }

    @Test
    public void transferHost3dIs72Bytes() {
        assertEquals(72, TransferHost3d.SIZE);
        assertEncodesTo(72, Samples.transferHost3d()::encode);
    }

    @Test
    public void submit3dIs32Bytes() {
        assertEquals(32, Submit3d.SIZE);
        assertEncodesTo(32, Samples.submit3d()::encode);
    }

    @Test
    public void resourceMapBlobIs40Bytes() {
        assertEquals(40, ResourceMapBlob.SIZE);
        assertEncodesTo(40, Samples.resourceMapBlob()::encode);
    }

    @Test
    public void respMapInfoIs32Bytes() {
        assertEquals(32, RespMapInfo.SIZE);
        assertEncodesTo(32, Samples.respMapInfo()::encode);
    }

    @Test
    public void resourceUnmapBlobIs32Bytes() {
        assertEquals(32, ResourceUnmapBlob.SIZE);
        assertEncodesTo(32, Samples.resourceUnmapBlob()::encode);
    }

    @Test
    public void updateCursorIs56Bytes() {
        assertEquals(56, UpdateCursor.SIZE);
        assertEncodesTo(56, Samples.updateCursor()::encode);
    }

    @Test
    public void moveCursorIs56Bytes() {
        assertEquals(56, UpdateCursor.SIZE);
        assertEncodesTo(56, Samples.moveCursor()::encode);
    }

    @Test
    public void respNoDataIs24Bytes() {
        assertEquals(24, RespNoData.SIZE);
        assertEncodesTo(24, Samples.respNoData()::encode);
    }

    @Test
    public void gpuConfigIs16Bytes() {
        assertEquals(16, GpuConfig.SIZE);
        assertEncodesTo(16, Samples.gpuConfig()::encode);
    }

    @Test
    public void respCapsetIsHeaderPlusData() {
        RespCapset r = Samples.respCapset();
        assertEquals(24, RespCapset.SIZE);
        assertEquals(24 + 6, r.encodedSize());
        assertEncodesTo(30, r::encode);
    }

    @Test
    public void memEntryArrayIs16BytesPerEntry() {
        assertEncodesTo(48, b -> MemEntry.encodeAll(java.util.List.of(Samples.memEntry(), Samples.memEntry(),
                new MemEntry(1, 2)), b));
    }
}
