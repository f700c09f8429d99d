package dev.neep.display.headless.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNull;

import dev.neep.display.headless.FrameFacts;
import dev.neep.gpu.api.Frame;
import dev.neep.gpu.api.Pixels;
import dev.neep.gpu.api.Scanout;
import dev.neep.gpu.api.ScanoutId;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.Rect;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import org.junit.Test;

public class HeadlessSinkTest {
    private final HeadlessSink sink = new HeadlessSink();

    @Test
    public void framesAreCountedPerScanout() {
        sink.scanoutChanged(id(0), new Scanout(1, Formats.B8G8R8X8_UNORM, 0, 0, 4, 2));
        sink.frameUpdated(id(0), new Rect(0, 0, 4, 2), Pixels.of(frame(4, 2, 16, 1)));
        sink.frameUpdated(id(0), new Rect(1, 1, 1, 1), Pixels.of(frame(4, 2, 16, 2)));
        sink.frameUpdated(id(1), new Rect(0, 0, 4, 2), Pixels.of(frame(4, 2, 16, 3)));

        assertEquals(2, sink.stats(0).frames());
        assertEquals(1, sink.stats(1).frames());
        assertEquals(0, sink.stats(2).frames());
        assertNull(sink.stats(2).lastFrame());
        assertEquals(new Scanout(1, Formats.B8G8R8X8_UNORM, 0, 0, 4, 2), sink.stats(0).scanout());
    }

    @Test
    public void lastFrameFactsAreKept() {
        byte[] packed = pixels(5, 3, 9);
        sink.frameUpdated(id(0), new Rect(1, 2, 3, 1), Pixels.of(new Frame(Formats.R8G8B8A8_UNORM, 5, 3, 20,
                ByteBuffer.wrap(packed).asReadOnlyBuffer())));
        FrameFacts facts = sink.stats(0).lastFrame();
        assertEquals(5, facts.width());
        assertEquals(3, facts.height());
        assertEquals(Formats.R8G8B8A8_UNORM, facts.format());
        assertEquals(new Rect(1, 2, 3, 1), facts.dirty());
        assertEquals(crc(packed), facts.crc32());
    }

    @Test
    public void checksumCoversPixelsNotStridePaddingOrBytesBeforePosition() {
        byte[] packed = pixels(4, 3, 5);
        int stride = 4 * 4 + 12;
        ByteBuffer padded = ByteBuffer.allocate(7 + stride * 3);
        for (int i = 0; i < padded.capacity(); i++) {
            padded.put(i, (byte) 0xee);
        }
        for (int y = 0; y < 3; y++) {
            padded.put(7 + y * stride, packed, y * 16, 16);
        }
        sink.frameUpdated(id(0), new Rect(0, 0, 4, 3), Pixels.of(new Frame(Formats.B8G8R8A8_UNORM, 4, 3, stride, padded.position(7).limit(7 + stride * 3 - 12))));
        sink.frameUpdated(id(1), new Rect(0, 0, 4, 3), Pixels.of(new Frame(Formats.B8G8R8A8_UNORM, 4, 3, 16, ByteBuffer.wrap(packed))));
        assertEquals(crc(packed), sink.stats(0).lastFrame().crc32());
        assertEquals(sink.stats(1).lastFrame().crc32(), sink.stats(0).lastFrame().crc32());
    }

    @Test
    public void checksumChangesWithPixels() {
        sink.frameUpdated(id(0), new Rect(0, 0, 4, 2), Pixels.of(frame(4, 2, 16, 1)));
        long first = sink.stats(0).lastFrame().crc32();
        sink.frameUpdated(id(0), new Rect(0, 0, 4, 2), Pixels.of(frame(4, 2, 16, 2)));
        assertNotEquals(first, sink.stats(0).lastFrame().crc32());
    }

    @Test
    public void disablingAScanoutKeepsItsCounts() {
        sink.scanoutChanged(id(0), new Scanout(1, Formats.B8G8R8X8_UNORM, 0, 0, 4, 2));
        sink.frameUpdated(id(0), new Rect(0, 0, 4, 2), Pixels.of(frame(4, 2, 16, 1)));
        sink.scanoutChanged(id(0), null);
        assertNull(sink.stats(0).scanout());
        assertEquals(1, sink.stats(0).frames());
    }

    @Test
    public void cursorPositionIsKept() {
        sink.cursorMoved(id(0), 17, 23);
        assertEquals(17, sink.stats(0).cursorX());
        assertEquals(23, sink.stats(0).cursorY());
    }

    private static Frame frame(int w, int h, int stride, int seed) {
        return new Frame(Formats.B8G8R8X8_UNORM, w, h, stride, ByteBuffer.wrap(pixels(w, h, seed)).asReadOnlyBuffer());
    }

    private static byte[] pixels(int w, int h, int seed) {
        byte[] b = new byte[w * h * 4];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 13 + seed);
        }
        return b;
    }

    private static long crc(byte[] b) {
        CRC32 c = new CRC32();
        c.update(b);
        return c.getValue();
    }

    @Test
    public void devicesAreToldApart() {
        sink.frameUpdated(new ScanoutId("other", 0), new Rect(0, 0, 4, 2), Pixels.of(frame(4, 2, 16, 1)));
        assertEquals(0, sink.stats(0).frames());
        assertEquals(1, sink.stats(new ScanoutId("other", 0)).frames());
    }

    private static ScanoutId id(int scanout) {
        return new ScanoutId(ScanoutId.DEFAULT_DEVICE, scanout);
    }
}
