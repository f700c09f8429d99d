package dev.neep.gpu.protocol;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.Test;

/** Short, truncated and unknown input gives a typed error naming the field, never an exception. */
public class DecodeErrorTest {

    private static DecodeError errorOf(Decoded<?> d) {
        assertFalse("expected an error, got " + d, d.isOk());
        return d.error();
    }

    @Test
    public void emptyBufferIsTruncatedAtHeaderType() {
        DecodeError e = errorOf(Command.decode(ByteBuffer.allocate(0)));
        assertEquals(DecodeError.Kind.TRUNCATED, e.kind());
        assertEquals("virtio_gpu_ctrl_hdr", e.struct());
        assertEquals("type", e.field());
        assertEquals(0, e.value());
    }

    @Test
    public void headerCutInsideFenceIdNamesFenceId() {
        ByteBuffer b = ByteBuffer.wrap(Le.frame().u32(CtrlType.CMD_GET_DISPLAY_INFO).u32(0).u32(0).bytes());
        DecodeError e = errorOf(Command.decode(b));
        assertEquals("fence_id", e.field());
        assertEquals(12, e.value());
        assertTrue(e.reason(), e.reason().contains("16 bytes needed"));
    }

    @Test
    public void truncatedRequestNamesTheFirstMissingField() {
        byte[] frame = Le.frame().hdr(CtrlType.CMD_RESOURCE_CREATE_2D, 0, 0, 0, 0).u32(1).u32(2).u8(0).bytes();
        DecodeError e = errorOf(Command.decode(ByteBuffer.wrap(frame)));
        assertEquals(DecodeError.Kind.TRUNCATED, e.kind());
        assertEquals("virtio_gpu_resource_create_2d", e.struct());
        assertEquals("width", e.field());
        assertEquals(33, e.value());
        assertEquals("virtio_gpu_resource_create_2d.width: truncated: 36 bytes needed, 33 available", e.message());
    }

    @Test
    public void truncatedNestedFieldIsNamedWithItsPath() {
        byte[] frame = Le.frame().hdr(CtrlType.CMD_SET_SCANOUT, 0, 0, 0, 0).u32(0).u32(0).bytes();
        assertEquals("r.width", errorOf(Command.decode(ByteBuffer.wrap(frame))).field());

        byte[] cursor = Le.frame().hdr(CtrlType.CMD_MOVE_CURSOR, 0, 0, 0, 0).u32(0).bytes();
        assertEquals("pos.x", errorOf(Command.decode(ByteBuffer.wrap(cursor))).field());

        byte[] display = Le.frame().hdr(CtrlType.RESP_OK_DISPLAY_INFO, 0, 0, 0, 0).zeros(3 * 24 + 20).bytes();
        assertEquals("pmodes[3].flags", errorOf(Responses.decode(ByteBuffer.wrap(display))).field());
    }

    @Test
    public void missingTrailingPaddingIsStillTruncation() {
        byte[] frame = Le.frame().hdr(CtrlType.CMD_RESOURCE_UNREF, 0, 0, 0, 0).u32(5).bytes();
        DecodeError e = errorOf(Command.decode(ByteBuffer.wrap(frame)));
        assertEquals("padding", e.field());
    }

    @Test
    public void failedDecodeLeavesThePositionAlone() {
        ByteBuffer b = ByteBuffer.wrap(Le.frame().zeros(2).hdr(CtrlType.CMD_SUBMIT_3D, 0, 0, 0, 0).u32(8).bytes());
        b.position(2);
        errorOf(Command.decode(b));
        assertEquals(2, b.position());
        errorOf(Submit3d.decode(b));
        assertEquals(2, b.position());
    }

    @Test
    public void unknownCommandCarriesTheType() {
        byte[] frame = Le.frame().hdr(0x0399, 0, 0, 0, 0).zeros(64).bytes();
        DecodeError e = errorOf(Command.decode(ByteBuffer.wrap(frame)));
        assertEquals(DecodeError.Kind.UNKNOWN_TYPE, e.kind());
        assertEquals("type", e.field());
        assertEquals(0x399, e.value());
        assertTrue(e.reason(), e.reason().contains("UNKNOWN(0x399)"));
    }

    @Test
    public void responseTypeIsNotACommand() {
        byte[] frame = Le.frame().hdr(CtrlType.RESP_OK_NODATA, 0, 0, 0, 0).bytes();
        assertEquals(DecodeError.Kind.UNKNOWN_TYPE, errorOf(Command.decode(ByteBuffer.wrap(frame))).kind());
        assertTrue(Command.of(CtrlType.RESP_OK_NODATA).isEmpty());
    }

    @Test
    public void unsignedTypeIsReportedUnsigned() {
        byte[] frame = Le.frame().hdr(0xffff_ffff, 0, 0, 0, 0).bytes();
        assertEquals(0xffff_ffffL, errorOf(Command.decode(ByteBuffer.wrap(frame))).value());
    }

    @Test
    public void errorResponsesDecodeAsHeaderOnly() {
        byte[] frame = Le.frame().hdr(CtrlType.RESP_ERR_OUT_OF_MEMORY, 1, 5, 0, 0).bytes();
        Response r = Responses.decode(ByteBuffer.wrap(frame)).value();
        assertEquals(new RespNoData(new CtrlHdr(CtrlType.RESP_ERR_OUT_OF_MEMORY, 1, 5, 0, 0)), r);
    }

    @Test
    public void unknownResponseTypeCarriesTheType() {
        byte[] frame = Le.frame().hdr(0x1107, 0, 0, 0, 0).bytes();
        DecodeError e = errorOf(Responses.decode(ByteBuffer.wrap(frame)));
        assertEquals(DecodeError.Kind.UNKNOWN_TYPE, e.kind());
        assertEquals(0x1107, e.value());
    }

    @Test
    public void memEntriesShorterThanNrEntriesNameTheFirstMissingEntry() {
        ByteBuffer b = ByteBuffer.wrap(Le.frame().u64(0x1000).u32(4096).zeros(4).u64(0x2000).bytes());
        DecodeError e = errorOf(MemEntry.decodeAll(b, 2));
        assertEquals(DecodeError.Kind.TRUNCATED, e.kind());
        assertEquals("entries[1]", e.field());
        assertEquals(24, e.value());
        assertEquals(0, b.position());
    }

    @Test
    public void hugeNrEntriesIsRejectedBeforeAllocating() {
        ByteBuffer b = ByteBuffer.allocate(32);
        DecodeError e = errorOf(MemEntry.decodeAll(b, 0xffff_ffff));
        assertTrue(e.reason(), e.reason().contains(Long.toString(0xffff_ffffL * 16)));
    }

    @Test
    public void zeroMemEntriesIsAnEmptyList() {
        assertEquals(List.of(), MemEntry.decodeAll(ByteBuffer.allocate(0), 0).value());
    }

    @Test
    public void decodeNeverThrowsForAnyPrefixOfAnyRequest() {
        Request[] all = {Samples.setScanoutBlob(), Samples.ctxCreate(), Samples.resourceCreate3d(),
            Samples.transferHost3d(), Samples.updateCursor(), Samples.resourceCreateBlob()};
        for (Request request : all) {
            ByteBuffer full = ByteBuffer.allocate(256);
            request.encode(full);
            int size = full.position();
            for (int n = 0; n < size; n++) {
                ByteBuffer prefix = ByteBuffer.wrap(full.array(), 0, n).slice();
                Decoded<Request> d = Command.decode(prefix);
                assertEquals(DecodeError.Kind.TRUNCATED, errorOf(d).kind());
                assertEquals(n, errorOf(d).value());
            }
        }
    }

    @Test
    public void valueOfAFailureSaysWhy() {
        Decoded<Request> d = Command.decode(ByteBuffer.allocate(3));
        try {
            d.value();
            fail();
        } catch (IllegalStateException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("virtio_gpu_ctrl_hdr.type"));
        }
    }
}
