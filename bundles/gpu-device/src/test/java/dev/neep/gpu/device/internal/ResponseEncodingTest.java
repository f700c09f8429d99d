package dev.neep.gpu.device.internal;

import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_RESOURCE_ID;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_UNSPEC;
import static dev.neep.gpu.protocol.CtrlType.RESP_OK_NODATA;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.neep.gpu.device.internal.Framing.Processed;
import dev.neep.gpu.device.internal.ParkedFences.Timeline;
import dev.neep.gpu.protocol.CtrlFlags;
import dev.neep.gpu.protocol.CtrlHdr;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.GetCapsetInfo;
import dev.neep.gpu.protocol.ResourceCreate2d;
import dev.neep.gpu.protocol.ResourceUnref;
import java.nio.ByteBuffer;
import org.junit.Test;

/** The one place responses are encoded, and what happens to chains too short for a request or an answer. */
public class ResponseEncodingTest {
    private final ProcessorHarness p = new ProcessorHarness();

    private static CtrlHdr header(BufferChain.Writer out) {
        return CtrlHdr.decode(out.writtenBytes()).value();
    }

    @Test
    public void unfencedResponseCarriesOnlyItsType() {
        BufferChain.Writer out = new BufferChain.Writer(64, 0xaa);
        CtrlHdr h = new CtrlHdr(CtrlType.CMD_RESOURCE_UNREF, 0, 77, 5, 3);
        Processed r = p.process(out, ProcessorHarness.bytes(new ResourceUnref(h, 9)));
        assertEquals(24, r.written());
        assertEquals(CtrlHdr.of(RESP_ERR_INVALID_RESOURCE_ID), header(out));
        assertNull(r.timeline());
    }

    @Test
    public void fencedResponseEchoesFlagFenceIdContextAndRing() {
        p.core.execute(new dev.neep.gpu.protocol.CtxCreate(new CtrlHdr(CtrlType.CMD_CTX_CREATE, 0, 0, 5, 0), 1, 0,
                "x"), BufferChain.reader(), 24);
        BufferChain.Writer out = new BufferChain.Writer(64, 0xaa);
        CtrlHdr h = new CtrlHdr(CtrlType.CMD_RESOURCE_CREATE_2D, CtrlFlags.FLAG_FENCE | CtrlFlags.FLAG_INFO_RING_IDX,
                77, 5, 3);
        Processed r = p.process(out, ProcessorHarness.bytes(new ResourceCreate2d(h, 1, Formats.B8G8R8X8_UNORM, 8, 8)));
        assertEquals(new CtrlHdr(RESP_OK_NODATA, CtrlFlags.FLAG_FENCE | CtrlFlags.FLAG_INFO_RING_IDX, 77, 5, 3),
                header(out));
        assertEquals(Timeline.of(true, 5, 3), r.timeline());
        // parked under the device's own fence id, the first of its life, which the backend got
        assertEquals(1, r.fenceId());
    }

    @Test
    public void globalFenceEchoesWithoutRing() {
        BufferChain.Writer out = new BufferChain.Writer(64, 0xaa);
        CtrlHdr h = new CtrlHdr(CtrlType.CMD_RESOURCE_CREATE_2D, CtrlFlags.FLAG_FENCE, 12, 0, 9);
        Processed r = p.process(out, ProcessorHarness.bytes(new ResourceCreate2d(h, 1, Formats.B8G8R8X8_UNORM, 8, 8)));
        assertEquals(new CtrlHdr(RESP_OK_NODATA, CtrlFlags.FLAG_FENCE, 12, 0, 0), header(out));
        assertEquals(Timeline.GLOBAL, r.timeline());
    }

    @Test
    public void headerShorterThan24BytesIsUnspecWithAZeroHeader() {
        BufferChain.Writer out = new BufferChain.Writer(64, 0xaa);
        Processed r = p.process(out, ByteBuffer.allocate(20));
        assertEquals(24, r.written());
        assertEquals(CtrlHdr.of(RESP_ERR_UNSPEC), header(out));
    }

    @Test
    public void unknownCommandIsUnspecAndEchoesItsFence() {
        BufferChain.Writer out = new BufferChain.Writer(64, 0xaa);
        ByteBuffer b = ByteBuffer.allocate(24);
        new CtrlHdr(0x999, CtrlFlags.FLAG_FENCE, 4, 0, 0).encode(b);
        Processed r = p.process(out, b.flip());
        assertEquals(new CtrlHdr(RESP_ERR_UNSPEC, CtrlFlags.FLAG_FENCE, 4, 0, 0), header(out));
        assertFalse(r.parked());
        assertEquals(0, p.backend.count("createFence"));
    }

    @Test
    public void requestShorterThanItsStructIsUnspecAndNotExecuted() {
        BufferChain.Writer out = new BufferChain.Writer(64, 0xaa);
        ByteBuffer full = ProcessorHarness.bytes(new ResourceCreate2d(CtrlHdr.of(CtrlType.CMD_RESOURCE_CREATE_2D), 1,
                Formats.B8G8R8X8_UNORM, 8, 8));
        p.process(out, full.limit(36));
        assertEquals(RESP_ERR_UNSPEC, header(out).type());
        assertEquals(0, p.backend.count("resourceCreate2d"));
    }

    @Test
    public void commandWithNoRoomForAResponseIsNotExecuted() {
        BufferChain.Writer out = new BufferChain.Writer(23, 0xaa);
        Processed r = p.process(out, ProcessorHarness.bytes(new ResourceCreate2d(
                CtrlHdr.of(CtrlType.CMD_RESOURCE_CREATE_2D), 1, Formats.B8G8R8X8_UNORM, 8, 8)));
        assertEquals(0, r.written());
        assertEquals(0, p.backend.count("resourceCreate2d"));
        assertEquals(0, p.core.resourceCount());
    }

    @Test
    public void commandWhoseAnswerDoesNotFitIsUnspecAndNotExecuted() {
        BufferChain.Writer out = new BufferChain.Writer(39, 0xaa);
        p.process(out, ProcessorHarness.bytes(new GetCapsetInfo(CtrlHdr.of(CtrlType.CMD_GET_CAPSET_INFO), 0)));
        assertEquals(24, out.written());
        assertEquals(RESP_ERR_UNSPEC, header(out).type());
    }

    @Test
    public void paddingOfAnAnswerIsWrittenAsZeros() {
        BufferChain.Writer out = new BufferChain.Writer(64, 0xaa);
        p.process(out, ProcessorHarness.bytes(new GetCapsetInfo(CtrlHdr.of(CtrlType.CMD_GET_CAPSET_INFO), 0)));
        assertEquals(40, out.written());
        for (int i = 21; i < 24; i++) {
            assertEquals("header padding byte " + i, 0, out.bytes[i]);
        }
        for (int i = 36; i < 40; i++) {
            assertEquals("capset info padding byte " + i, 0, out.bytes[i]);
        }
        assertEquals((byte) 0xaa, out.bytes[40]);
    }

    @Test
    public void handlersRunOnDecodedRequests() {
        Reply r = p.execute(new ResourceCreate2d(CtrlHdr.of(CtrlType.CMD_RESOURCE_CREATE_2D), 3,
                Formats.B8G8R8X8_UNORM, 16, 16));
        assertTrue(r.isOk());
        assertEquals(1, p.core.resourceCount());
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, p.execute(new ResourceCreate2d(
                CtrlHdr.of(CtrlType.CMD_RESOURCE_CREATE_2D), 3, Formats.B8G8R8X8_UNORM, 16, 16)).type());
    }

    @Test
    public void repeatedGuestMistakesAreCountedUnderOneCause() {
        for (int i = 0; i < 5; i++) {
            p.execute(new ResourceUnref(CtrlHdr.of(CtrlType.CMD_RESOURCE_UNREF), 9));
        }
        assertEquals(5, p.log.count("CMD_RESOURCE_UNREF: resource_id"));
    }

    @Test
    public void everyUnknownCommandTypeSharesOneLogCause() {
        for (int type : new int[] {0x999, 0x1234, -1}) {
            ByteBuffer b = ByteBuffer.allocate(24);
            CtrlHdr.of(type).encode(b);
            p.process(new BufferChain.Writer(24, 0), b.flip());
        }
        assertEquals(3, p.log.count("controlq: unknown command"));
    }
}
