package dev.neep.gpu.protocol;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.TreeMap;
import org.junit.Test;

/** The command table against virtio 1.3 §5.7.6: one entry per command type, with the spec's sizes. */
public class CommandTest {

    @Test
    public void everyCommandTypeHasOneEntryAndNothingElseHasOne() {
        int[] spec = {0x0100, 0x0101, 0x0102, 0x0103, 0x0104, 0x0105, 0x0106, 0x0107, 0x0108, 0x0109, 0x010a,
            0x010b, 0x010c, 0x010d, 0x0200, 0x0201, 0x0202, 0x0203, 0x0204, 0x0205, 0x0206, 0x0207, 0x0208, 0x0209,
            0x0300, 0x0301};
        assertEquals(spec.length, Command.all().size());
        for (int type : spec) {
            Command<?> c = Command.of(type).orElseThrow();
            assertEquals(type, c.type());
            assertEquals(CtrlType.name(type), c.name());
        }
        for (int type : new int[] {0, 0x010e, 0x020a, 0x0302, CtrlType.RESP_OK_NODATA, CtrlType.RESP_ERR_UNSPEC, -1}) {
            assertTrue(CtrlType.name(type), Command.of(type).isEmpty());
        }
    }

    @Test
    public void onlyTheCursorCommandsBelongOnTheCursorQueueAndGetNoAnswer() {
        for (Command<?> c : Command.all()) {
            boolean cursor = c == Command.UPDATE_CURSOR || c == Command.MOVE_CURSOR;
            assertEquals(c.name(), cursor ? Command.Queue.CURSOR : Command.Queue.CONTROL, c.queue());
            assertEquals(c.name(), cursor, c.responseSize() == 0);
        }
    }

    @Test
    public void answersHaveTheSpecSizes() {
        Map<String, Integer> sizes = new TreeMap<>();
        for (Command<?> c : Command.all()) {
            if (c.responseSize() != CtrlHdr.SIZE && c.queue() == Command.Queue.CONTROL) {
                sizes.put(c.name(), c.responseSize());
            }
        }
        assertEquals(Map.of("CMD_GET_DISPLAY_INFO", 408, "CMD_GET_CAPSET_INFO", 40, "CMD_GET_EDID", 1056,
                "CMD_RESOURCE_ASSIGN_UUID", 40, "CMD_RESOURCE_MAP_BLOB", 32), sizes);
    }

    @Test
    public void bodyDecodesAfterAHeaderDecodedOnce() {
        ByteBuffer whole = ByteBuffer.allocate(ResourceCreate2d.SIZE);
        Samples.resourceCreate2d().encode(whole);
        whole.flip();
        CtrlHdr hdr = CtrlHdr.decode(whole).value();
        assertEquals(CtrlHdr.SIZE, whole.position());
        assertEquals(Samples.resourceCreate2d(), Command.RESOURCE_CREATE_2D.decodeBody(hdr, whole).value());
        assertFalse(whole.hasRemaining());
    }

    @Test
    public void aShortBodyNamesTheFieldWithOffsetsFromTheHeader() {
        CtrlHdr hdr = CtrlHdr.of(CtrlType.CMD_RESOURCE_CREATE_2D);
        ByteBuffer body = ByteBuffer.allocate(9);
        DecodeError e = Command.RESOURCE_CREATE_2D.decodeBody(hdr, body).error();
        assertEquals("virtio_gpu_resource_create_2d.width: truncated: 36 bytes needed, 33 available", e.message());
        assertEquals(0, body.position());
    }

    @Test
    public void aHeaderOfAnotherCommandIsRefused() {
        try {
            Command.RESOURCE_UNREF.decodeBody(CtrlHdr.of(CtrlType.CMD_RESOURCE_FLUSH), ByteBuffer.allocate(8));
            fail();
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("CMD_RESOURCE_UNREF"));
        }
    }

    @Test
    public void sharedStructsAreToldApartByType() {
        ByteBuffer b = ByteBuffer.allocate(CtxResource.SIZE);
        new CtxResource(CtrlHdr.of(CtrlType.CMD_CTX_DETACH_RESOURCE), 4).encode(b);
        Request r = Command.decode(b.flip()).value();
        assertSame(Command.CTX_DETACH_RESOURCE, Command.of(r.hdr().type()).orElseThrow());
    }
}
