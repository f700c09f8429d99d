package dev.neep.gpu.device.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.neep.gpu.device.DeviceConfig;
import dev.neep.gpu.protocol.CtrlHdr;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.CursorPos;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.UpdateCursor;
import dev.neep.testkit.GpuDriver;
import dev.neep.testkit.PendingCommand;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** UPDATE_CURSOR and MOVE_CURSOR on the cursor queue: no answer, the chain comes back with length 0. */
public class CursorTest {
    private Harness h;
    private GpuDriver d;

    @Before
    public void start() {
        h = Harness.start();
        d = h.driver;
    }

    @After
    public void stop() {
        h.close();
    }

    @Test
    public void updateCursorDefinesTheImageAndMovesIt() {
        d.resourceCreate2d(3, Formats.B8G8R8A8_UNORM, 64, 64);
        d.updateCursor(0, 10, 20, 3, 1, 2);
        h.settle();
        assertEquals(List.of("cursor 0 64x64 hot 1,2", "move 0 10,20"), h.sink.events());
        int[] expected = new int[64 * 64];
        Arrays.fill(expected, 0xff000003);
        assertArrayEquals(expected, h.sink.cursors().get(0).argb());
    }

    @Test
    public void updateCursorWithResourceZeroHidesIt() {
        d.resourceCreate2d(3, Formats.B8G8R8A8_UNORM, 64, 64);
        d.updateCursor(0, 10, 20, 3, 0, 0);
        d.updateCursor(0, 10, 20, 0, 0, 0);
        h.settle();
        assertNull(h.sink.cursors().get(0));
        assertTrue(h.sink.events().contains("cursor 0 hidden"));
    }

    @Test
    public void moveCursorOnlyMoves() {
        d.moveCursor(0, 5, 6);
        h.settle();
        assertEquals(List.of("move 0 5,6"), h.sink.events());
    }

    @Test
    public void cursorChainComesBackWithLengthZero() {
        PendingCommand c = d.submit(new UpdateCursor(d.header(CtrlType.CMD_MOVE_CURSOR, 0), new CursorPos(0, 1, 1), 0,
                0, 0), 24);
        assertEquals(0, c.awaitUsed().usedLength());
    }

    @Test
    public void updateCursorOfAResourceNot64x64IsIgnored() {
        d.resourceCreate2d(3, Formats.B8G8R8A8_UNORM, 32, 64);
        d.updateCursor(0, 10, 20, 3, 0, 0);
        h.settle();
        assertTrue(h.sink.events().isEmpty());
        assertEquals(0, h.backend().count("frame"));
    }

    @Test
    public void updateCursorOfUnknownResourceIsIgnored() {
        d.updateCursor(0, 10, 20, 9, 0, 0);
        h.settle();
        assertTrue(h.sink.events().isEmpty());
    }

    @Test
    public void updateCursorWithHotSpotOutsideIsIgnored() {
        d.resourceCreate2d(3, Formats.B8G8R8A8_UNORM, 64, 64);
        d.updateCursor(0, 10, 20, 3, 64, 0);
        h.settle();
        assertTrue(h.sink.events().isEmpty());
    }

    @Test
    public void cursorOnScanoutAtMaxOutputsIsIgnored() {
        d.moveCursor(1, 5, 6);
        h.settle();
        assertTrue(h.sink.events().isEmpty());
    }

    @Test
    public void shortCursorCommandIsGivenBackUnread() {
        ByteBuffer shortOne = ByteBuffer.allocate(20);
        PendingCommand c = d.submitRaw(GpuDriver.CURSOR_QUEUE, List.of(shortOne), 0);
        assertEquals(0, c.awaitUsed().usedLength());
        h.settle();
        assertTrue(h.sink.events().isEmpty());
    }

    @Test
    public void controlCommandOnTheCursorQueueIsIgnored() {
        ByteBuffer b = ByteBuffer.allocate(UpdateCursor.SIZE);
        new UpdateCursor(CtrlHdr.of(CtrlType.CMD_RESOURCE_UNREF), new CursorPos(0, 0, 0), 1, 0, 0).encode(b);
        assertEquals(0, d.submitRaw(GpuDriver.CURSOR_QUEUE, List.of(b.flip()), 0).awaitUsed().usedLength());
        h.settle();
        assertTrue(h.sink.events().isEmpty());
    }

    @Test
    public void cursorCommandOnTheControlQueueIsUnspec() {
        ByteBuffer b = ByteBuffer.allocate(UpdateCursor.SIZE);
        new UpdateCursor(CtrlHdr.of(CtrlType.CMD_MOVE_CURSOR), new CursorPos(0, 0, 0), 0, 0, 0).encode(b);
        PendingCommand c = d.submitRaw(GpuDriver.CONTROL_QUEUE, List.of(b.flip()), CtrlHdr.SIZE);
        assertEquals(CtrlType.RESP_ERR_UNSPEC, c.await().hdr().type());
        h.settle();
        assertFalse(h.sink.events().stream().anyMatch(e -> e.startsWith("move")));
    }

    @Test
    public void headlessMovesButSendsNoCursorPixels() {
        try (Harness headless = Harness.start(DeviceConfig.defaults(), new TestBackend.Provider("test").headless())) {
            headless.driver.resourceCreate2d(3, Formats.B8G8R8A8_UNORM, 64, 64);
            headless.driver.updateCursor(0, 10, 20, 3, 0, 0);
            headless.settle();
            assertEquals(List.of("move 0 10,20"), headless.sink.events());
        }
    }

    @Test
    public void lateSinkGetsTheCursorImage() {
        d.resourceCreate2d(3, Formats.B8G8R8A8_UNORM, 64, 64);
        d.updateCursor(0, 10, 20, 3, 4, 5);
        RecordingSink late = new RecordingSink().settleWith(h.device::awaitIdle);
        h.device.addSink(late);
        h.settle();
        assertEquals(List.of("cursor 0 64x64 hot 4,5"), late.events());
    }
}
