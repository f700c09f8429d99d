package dev.neep.vhostuser.gpu.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import dev.neep.gpu.api.Frame;
import dev.neep.gpu.protocol.Formats;
import dev.neep.vhostuser.protocol.MessageHeader;
import dev.neep.vhostuser.sys.Fd;
import dev.neep.vhostuser.sys.Posix;
import dev.neep.vhostuser.sys.UnixSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** UPDATE messages as the front end reads them: x8r8g8b8 words, split by rows, each band with its own header. */
public class UpdateWriterTest {
    private static final int W = 40;
    private static final int H = 30;

    private UnixSocket backEnd;
    private UnixSocket frontEnd;

    @Before
    public void pair() throws Exception {
        assumeTrue("native access: " + Posix.unavailableReason(), Posix.unavailableReason() == null);
        Fd[] pair = Posix.socketPair("updates");
        backEnd = new UnixSocket(pair[0]);
        frontEnd = new UnixSocket(pair[1]);
    }

    @After
    public void close() {
        if (backEnd != null) {
            backEnd.close();
            frontEnd.close();
        }
    }

    /** A frame of {@code format} whose pixel (x, y) is ARGB {@code argb(x, y)}, with a padded stride and an offset start. */
    private static Frame frame(int format) {
        int stride = W * 4 + 12;
        ByteBuffer b = ByteBuffer.allocateDirect(8 + stride * H);
        int[] row = new int[W];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                row[x] = argb(x, y);
            }
            Formats.fromArgb(format, row, 0, b, 8 + y * stride, W);
        }
        return new Frame(format, W, H, stride, b.position(8).slice().asReadOnlyBuffer());
    }

    private static int argb(int x, int y) {
        return 0xff000000 | (x << 16) | (y << 8) | ((x * y) & 0xff);
    }

    private void expectBands(int x0, int y0, int x1, int y1, int rowsPerBand) throws Exception {
        for (int y = y0; y < y1; y += rowsPerBand) {
            int rows = Math.min(rowsPerBand, y1 - y);
            ByteBuffer h = ByteBuffer.allocateDirect(MessageHeader.SIZE).order(ByteOrder.LITTLE_ENDIAN);
            assertTrue(frontEnd.receiveFully(h, new ArrayList<>()));
            MessageHeader header = MessageHeader.decode(h.flip());
            assertEquals(GpuRequest.UPDATE, header.request());
            assertEquals(GpuRequest.UPDATE_HEADER_SIZE + rows * (x1 - x0) * 4, header.size());
            ByteBuffer p = ByteBuffer.allocateDirect(header.size()).order(ByteOrder.LITTLE_ENDIAN);
            frontEnd.receiveFully(p, new ArrayList<>());
            assertEquals("scanout", 1, p.getInt(0));
            assertEquals("x", x0, p.getInt(4));
            assertEquals("y", y, p.getInt(8));
            assertEquals("width", x1 - x0, p.getInt(12));
            assertEquals("rows", rows, p.getInt(16));
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < x1 - x0; c++) {
                    int word = p.getInt(GpuRequest.UPDATE_HEADER_SIZE + (r * (x1 - x0) + c) * 4);
                    assertEquals("pixel " + (x0 + c) + "," + (y + r), argb(x0 + c, y + r), word | 0xff000000);
                }
            }
        }
    }

    @Test
    public void aRectangleGoesOutAsXrgbWordsInBandsOfWholeRows() throws Exception {
        UpdateWriter writer = new UpdateWriter(7 * 10 * 4);
        writer.take(1, frame(Formats.B8G8R8X8_UNORM), 3, 2, 13, 25);
        writer.send(backEnd);
        expectBands(3, 2, 13, 25, 7);
    }

    @Test
    public void otherFormatsAreConvertedInTheSameCopy() throws Exception {
        UpdateWriter writer = new UpdateWriter(1 << 20);
        for (int format : new int[] {Formats.R8G8B8A8_UNORM, Formats.X8R8G8B8_UNORM, Formats.A8B8G8R8_UNORM}) {
            writer.take(1, frame(format), 0, 0, W, H);
            writer.send(backEnd);
            expectBands(0, 0, W, H, H);
        }
    }

    @Test
    public void takingAgainWritesTheSameMessages() throws Exception {
        UpdateWriter writer = new UpdateWriter(1 << 20);
        Frame f = frame(Formats.B8G8R8A8_UNORM);
        writer.take(1, f, 5, 5, 6, 6);
        writer.take(1, f, 5, 5, 6, 6);
        writer.send(backEnd);
        expectBands(5, 5, 6, 6, 1);
    }

    @Test
    public void wholeRowsOfATightFrameGoOutAsTheyAreInOneGatheringWrite() throws Exception {
        ByteBuffer b = ByteBuffer.allocateDirect(W * 4 * H);
        int[] row = new int[W];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                row[x] = argb(x, y);
            }
            Formats.fromArgb(Formats.B8G8R8X8_UNORM, row, 0, b, y * W * 4, W);
        }
        Frame tight = new Frame(Formats.B8G8R8X8_UNORM, W, H, W * 4, b.asReadOnlyBuffer());
        assertTrue(UpdateWriter.sendsAsIs(tight, 0, W));
        assertFalse("part of a row is not contiguous", UpdateWriter.sendsAsIs(tight, 1, W));
        assertFalse("a padded stride is not contiguous", UpdateWriter.sendsAsIs(frame(Formats.B8G8R8X8_UNORM), 0, W));
        assertFalse("other formats are converted", UpdateWriter.sendsAsIs(
                new Frame(Formats.R8G8B8X8_UNORM, W, H, W * 4, b), 0, W));
        new UpdateWriter(1 << 20).sendAsIs(backEnd, 1, tight, 3, 20);
        expectBands(0, 3, W, 20, 17);
    }

    @Test
    public void aGatheringWriteLargerThanTheSocketBufferArrivesWhole() throws Exception {
        int w = 1024;
        int h = 768;
        ByteBuffer b = ByteBuffer.allocateDirect(w * 4 * h);
        for (int i = 0; i < w * h; i++) {
            b.putInt(i * 4, i * 7 + 3);
        }
        Frame big = new Frame(Formats.B8G8R8X8_UNORM, w, h, w * 4, b.asReadOnlyBuffer());
        Thread sender = new Thread(() -> {
            try {
                new UpdateWriter(16 << 20).sendAsIs(backEnd, 0, big, 0, h);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        sender.start();
        ByteBuffer head = ByteBuffer.allocateDirect(MessageHeader.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        assertTrue(frontEnd.receiveFully(head, new ArrayList<>()));
        MessageHeader header = MessageHeader.decode(head.flip());
        assertEquals(GpuRequest.UPDATE_HEADER_SIZE + w * h * 4, header.size());
        ByteBuffer p = ByteBuffer.allocateDirect(header.size()).order(ByteOrder.LITTLE_ENDIAN);
        frontEnd.receiveFully(p, new ArrayList<>());
        sender.join(10_000);
        assertEquals("rows", h, p.getInt(16));
        assertEquals("the pixels, byte for byte", b.rewind(), p.position(GpuRequest.UPDATE_HEADER_SIZE));
    }
}
