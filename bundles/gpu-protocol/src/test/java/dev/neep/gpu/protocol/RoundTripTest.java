package dev.neep.gpu.protocol;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.junit.Test;

/**
 * encode then decode gives back an equal value, whatever the buffer's own byte order and
 * position, and both move the position by exactly the struct's size.
 */
public class RoundTripTest {

    static <T> void assertRoundTrip(T value, BiConsumer<T, ByteBuffer> encode,
            Function<ByteBuffer, Decoded<T>> decode) {
        for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
            ByteBuffer b = ByteBuffer.allocate(2048).order(order);
            b.position(3);
            encode.accept(value, b);
            int written = b.position() - 3;
            b.flip().position(3);
            Decoded<T> decoded = decode.apply(b);
            assertTrue(decoded.toString(), decoded.isOk());
            assertEquals(value, decoded.value());
            assertEquals("decode consumes what encode wrote", 3 + written, b.position());
            assertEquals("byte order of the caller's buffer untouched", order, b.order());
        }
    }

    @Test
    public void ctrlHdrRoundTrips() {
        assertRoundTrip(Samples.hdr(CtrlType.CMD_SUBMIT_3D), CtrlHdr::encode, CtrlHdr::decode);
    }

    @Test
    public void rectRoundTrips() {
        assertRoundTrip(Samples.rect(), Rect::encode, Rect::decode);
    }

    @Test
    public void boxRoundTrips() {
        assertRoundTrip(Samples.box(), Box::encode, Box::decode);
    }

    @Test
    public void cursorPosRoundTrips() {
        assertRoundTrip(Samples.cursorPos(), CursorPos::encode, CursorPos::decode);
    }

    @Test
    public void memEntryRoundTrips() {
        assertRoundTrip(Samples.memEntry(), MemEntry::encode, MemEntry::decode);
    }

    @Test
    public void displayOneRoundTrips() {
        assertRoundTrip(new DisplayOne(Samples.rect(), 1, 2), DisplayOne::encode, DisplayOne::decode);
    }

    @Test
    public void getDisplayInfoRoundTrips() {
        assertRoundTrip(Samples.getDisplayInfo(), GetDisplayInfo::encode, GetDisplayInfo::decode);
    }

    @Test
    public void respDisplayInfoRoundTrips() {
        assertRoundTrip(Samples.respDisplayInfo(), RespDisplayInfo::encode, RespDisplayInfo::decode);
    }

    @Test
    public void resourceCreate2dRoundTrips() {
        assertRoundTrip(Samples.resourceCreate2d(), ResourceCreate2d::encode, ResourceCreate2d::decode);
    }

    @Test
    public void resourceUnrefRoundTrips() {
        assertRoundTrip(Samples.resourceUnref(), ResourceUnref::encode, ResourceUnref::decode);
    }

    @Test
    public void setScanoutRoundTrips() {
        assertRoundTrip(Samples.setScanout(), SetScanout::encode, SetScanout::decode);
    }

    @Test
    public void resourceFlushRoundTrips() {
        assertRoundTrip(Samples.resourceFlush(), ResourceFlush::encode, ResourceFlush::decode);
    }

    @Test
    public void transferToHost2dRoundTrips() {
        assertRoundTrip(Samples.transferToHost2d(), TransferToHost2d::encode, TransferToHost2d::decode);
    }

    @Test
    public void resourceAttachBackingRoundTrips() {
        assertRoundTrip(Samples.resourceAttachBacking(), ResourceAttachBacking::encode, ResourceAttachBacking::decode);
    }

    @Test
    public void resourceDetachBackingRoundTrips() {
        assertRoundTrip(Samples.resourceDetachBacking(), ResourceDetachBacking::encode, ResourceDetachBacking::decode);
    }

    @Test
    public void getCapsetInfoRoundTrips() {
        assertRoundTrip(Samples.getCapsetInfo(), GetCapsetInfo::encode, GetCapsetInfo::decode);
    }

    @Test
    public void respCapsetInfoRoundTrips() {
        assertRoundTrip(Samples.respCapsetInfo(), RespCapsetInfo::encode, RespCapsetInfo::decode);
    }

    @Test
    public void getCapsetRoundTrips() {
        assertRoundTrip(Samples.getCapset(), GetCapset::encode, GetCapset::decode);
    }

    @Test
    public void respCapsetRoundTrips() {
        assertRoundTrip(Samples.respCapset(), RespCapset::encode, RespCapset::decode);
    }

    @Test
    public void getEdidRoundTrips() {
        assertRoundTrip(Samples.getEdid(), GetEdid::encode, GetEdid::decode);
    }

    @Test
    public void respEdidRoundTrips() {
        assertRoundTrip(Samples.respEdid(), RespEdid::encode, RespEdid::decode);
    }

    @Test
    public void resourceAssignUuidRoundTrips() {
        assertRoundTrip(Samples.resourceAssignUuid(), ResourceAssignUuid::encode, ResourceAssignUuid::decode);
    }

    @Test
    public void respResourceUuidRoundTrips() {
        assertRoundTrip(Samples.respResourceUuid(), RespResourceUuid::encode, RespResourceUuid::decode);
    }

    @Test
    public void resourceCreateBlobRoundTrips() {
        assertRoundTrip(Samples.resourceCreateBlob(), ResourceCreateBlob::encode, ResourceCreateBlob::decode);
    }

    @Test
    public void setScanoutBlobRoundTrips() {
        assertRoundTrip(Samples.setScanoutBlob(), SetScanoutBlob::encode, SetScanoutBlob::decode);
    }

    @Test
    public void ctxCreateRoundTrips() {
        assertRoundTrip(Samples.ctxCreate(), CtxCreate::encode, CtxCreate::decode);
    }

    @Test
    public void ctxDestroyRoundTrips() {
        assertRoundTrip(Samples.ctxDestroy(), CtxDestroy::encode, CtxDestroy::decode);
    }

    @Test
    public void ctxResourceRoundTrips() {
        assertRoundTrip(Samples.ctxResource(), CtxResource::encode, CtxResource::decode);
    }

    @Test
    public void resourceCreate3dRoundTrips() {
        assertRoundTrip(Samples.resourceCreate3d(), ResourceCreate3d::encode, ResourceCreate3d::decode);
    }

    @Test
    public void transferHost3dRoundTrips() {
        assertRoundTrip(Samples.transferHost3d(), TransferHost3d::encode, TransferHost3d::decode);
    }

    @Test
    public void submit3dRoundTrips() {
        assertRoundTrip(Samples.submit3d(), Submit3d::encode, Submit3d::decode);
    }

    @Test
    public void resourceMapBlobRoundTrips() {
        assertRoundTrip(Samples.resourceMapBlob(), ResourceMapBlob::encode, ResourceMapBlob::decode);
    }

    @Test
    public void respMapInfoRoundTrips() {
        assertRoundTrip(Samples.respMapInfo(), RespMapInfo::encode, RespMapInfo::decode);
    }

    @Test
    public void resourceUnmapBlobRoundTrips() {
        assertRoundTrip(Samples.resourceUnmapBlob(), ResourceUnmapBlob::encode, ResourceUnmapBlob::decode);
    }

    @Test
    public void updateCursorRoundTrips() {
        assertRoundTrip(Samples.updateCursor(), UpdateCursor::encode, UpdateCursor::decode);
    }

    @Test
    public void respNoDataRoundTrips() {
        assertRoundTrip(Samples.respNoData(), RespNoData::encode, RespNoData::decode);
    }

    @Test
    public void gpuConfigRoundTrips() {
        assertRoundTrip(Samples.gpuConfig(), GpuConfig::encode, GpuConfig::decode);
    }

    @Test
    public void everyRequestRoundTripsThroughCommandDecode() {
        Request[] all = {Samples.getDisplayInfo(), Samples.resourceCreate2d(), Samples.resourceUnref(),
            Samples.setScanout(), Samples.resourceFlush(), Samples.transferToHost2d(), Samples.resourceAttachBacking(),
            Samples.resourceDetachBacking(), Samples.getCapsetInfo(), Samples.getCapset(), Samples.getEdid(),
            Samples.resourceAssignUuid(), Samples.resourceCreateBlob(), Samples.setScanoutBlob(), Samples.ctxCreate(),
            Samples.ctxDestroy(), Samples.ctxResource(), Samples.resourceCreate3d(), Samples.transferHost3d(),
            Samples.submit3d(), Samples.resourceMapBlob(), Samples.resourceUnmapBlob(), Samples.updateCursor(),
            Samples.moveCursor(),
            new CtxResource(Samples.hdr(CtrlType.CMD_CTX_DETACH_RESOURCE), 4),
            new TransferHost3d(Samples.hdr(CtrlType.CMD_TRANSFER_FROM_HOST_3D), Samples.box(), 8, 9, 0, 64, 0)};
        for (Request request : all) {
            assertRoundTrip(request, Request::encode, Command::decode);
            assertEquals(CtrlType.name(request.hdr().type()), Command.of(request.hdr().type()).orElseThrow().requestSize(),
                    encodedLength(request::encode));
        }
    }

    @Test
    public void everyResponseRoundTripsThroughResponsesDecode() {
        Response[] all = {Samples.respNoData(), Samples.respDisplayInfo(), Samples.respCapsetInfo(),
            Samples.respCapset(), Samples.respEdid(), Samples.respResourceUuid(), Samples.respMapInfo(),
            new RespNoData(CtrlHdr.of(CtrlType.RESP_ERR_INVALID_RESOURCE_ID))};
        for (Response response : all) {
            assertRoundTrip(response, Response::encode, Responses::decode);
            assertEquals(CtrlType.name(response.hdr().type()), encodedLength(response::encode),
                    response.encodedSize());
        }
    }

    private static int encodedLength(java.util.function.Consumer<ByteBuffer> encoder) {
        ByteBuffer b = ByteBuffer.allocate(2048);
        encoder.accept(b);
        return b.position();
    }
}
