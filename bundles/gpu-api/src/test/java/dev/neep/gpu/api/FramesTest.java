package dev.neep.gpu.api;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.Rect;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.Test;

public class FramesTest {

    @Test
    public void unionHoldsBothRectangles() {
        assertEquals(new Rect(1, 2, 9, 8), Frames.union(new Rect(1, 5, 2, 5), new Rect(4, 2, 6, 1)));
        assertEquals(new Rect(3, 3, 1, 1), Frames.union(new Rect(3, 3, 1, 1), new Rect(3, 3, 1, 1)));
        assertEquals("a side too long for an int is cut", Integer.MAX_VALUE,
                Frames.union(new Rect(0, 0, Integer.MAX_VALUE, 1), new Rect(-1, 0, 1, 1)).width());
    }

    @Test
    public void clipKeepsWhatIsInside() {
        assertEquals(new Rect(1, 2, 3, 4), Frames.clip(new Rect(1, 2, 3, 4), 10, 10));
    }

    @Test
    public void clipCutsARectangleReachingFarOutsideAtTheEdges() {
        assertEquals(new Rect(0, 3, 10, 5), Frames.clip(new Rect(-5, 3, Integer.MAX_VALUE, 100), 10, 8));
        assertEquals(new Rect(0, 0, 10, 8),
                Frames.clip(new Rect(-5, -5, Integer.MAX_VALUE, Integer.MAX_VALUE), 10, 8));
        assertEquals("no int overflow", 0,
                Frames.clip(new Rect(Integer.MIN_VALUE, 0, Integer.MAX_VALUE, 8), 10, 8).width());
    }

    @Test
    public void clipOfARectangleThatMissesIsEmpty() {
        Rect r = Frames.clip(new Rect(20, 1, 5, 5), 10, 8);
        assertEquals(0, r.width());
        r = Frames.clip(new Rect(1, -9, 5, 5), 10, 8);
        assertEquals(0, r.height());
        r = Frames.clip(new Rect(1, 1, -3, 5), 10, 8);
        assertEquals(0, r.width());
    }

    @Test
    public void toArgbConvertsOnlyTheAreaHonouringStrideAndPosition() {
        int w = 4;
        int h = 3;
        int stride = w * 4 + 8;
        int base = 3;
        ByteBuffer buf = ByteBuffer.allocate(base + stride * h);
        int[] picture = new int[w * h];
        for (int i = 0; i < picture.length; i++) {
            picture[i] = 0x11000000 * (i + 1) | i;
        }
        for (int y = 0; y < h; y++) {
            Formats.fromArgb(Formats.A8B8G8R8_UNORM, picture, y * w, buf, base + y * stride, w);
        }
        Frame frame = new Frame(Formats.A8B8G8R8_UNORM, w, h, stride, buf.position(base).asReadOnlyBuffer());

        int[] dst = new int[w * h];
        Arrays.fill(dst, 7);
        Frames.toArgb(frame, new Rect(1, 1, 2, 2), dst);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean inside = x >= 1 && x < 3 && y >= 1 && y < 3;
                assertEquals("(" + x + "," + y + ")", inside ? picture[y * w + x] : 7, dst[y * w + x]);
            }
        }
        assertEquals("the buffer's position is left alone", base, frame.pixels().position());

        Frames.toArgb(frame, new Rect(0, 0, w, h), dst);
        assertArrayEquals(picture, dst);
    }

    @Test
    public void toArgbOfAnEmptyAreaTouchesNothing() {
        Frame frame = new Frame(Formats.B8G8R8X8_UNORM, 2, 2, 8, ByteBuffer.allocate(16));
        int[] dst = {1, 2, 3, 4};
        Frames.toArgb(frame, new Rect(1, 0, 0, 2), dst);
        assertArrayEquals(new int[] {1, 2, 3, 4}, dst);
    }

    @Test
    public void toArgbRefusesAFormatThatIsNot2d() {
        Frame frame = new Frame(999, 2, 2, 8, ByteBuffer.allocate(16));
        try {
            Frames.toArgb(frame, new Rect(0, 0, 2, 2), new int[4]);
            fail("converted format 999");
        } catch (IllegalArgumentException expected) {
            // the format is checked before any pixel is read
        }
    }
}
