package dev.neep.testkit;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

/** TestPattern follows pattern.h's formulas, including its unsigned 32-bit arithmetic. */
public class TestPatternTest {

    @Test
    public void topHalfHasEightBarsOfWidthW8() {
        int w = 640;
        int h = 480;
        int[] bars = {0xffffffff, 0xffffff00, 0xff00ffff, 0xff00ff00, 0xffff00ff, 0xffff0000, 0xff0000ff, 0xff000000};
        for (int bar = 0; bar < 8; bar++) {
            assertEquals(bars[bar], TestPattern.xrgb(bar * 80, 0, w, h));
            assertEquals(bars[bar], TestPattern.xrgb(bar * 80 + 79, 239, w, h));
        }
    }

    @Test
    public void barIndexIsXTimes8DividedByW() {
        // w = 100: x = 12 -> 96/100 = bar 0; x = 13 -> 104/100 = bar 1 (yellow)
        assertEquals(0xffffffff, TestPattern.xrgb(12, 0, 100, 10));
        assertEquals(0xffffff00, TestPattern.xrgb(13, 0, 100, 10));
    }

    @Test
    public void bottomHalfIsRampsAndXor() {
        int w = 640;
        int h = 480;
        // y = h/2: g = 0, b = x ^ y
        assertEquals(0xff0000f0, TestPattern.xrgb(0, 240, w, h));
        // r = 639*255/639 = 255, g = 239*255/239 = 255, b = (639 ^ 479) & 0xff = 0xa0
        assertEquals(0xffffffa0, TestPattern.xrgb(639, 479, w, h));
        // r = 100*255/639 = 39, g = 60*255/239 = 64, b = (100 ^ 300) & 0xff = 0x48
        assertEquals(0xff000000 | (39 << 16) | (64 << 8) | 0x48, TestPattern.xrgb(100, 300, w, h));
    }

    @Test
    public void oddHeightsSplitAtHDividedBy2() {
        // h = 3: top is row 0 only; rows 1..2 are the bottom, hh = 2, so g = yy * 255
        assertEquals(0xffffffff, TestPattern.xrgb(0, 0, 8, 3));
        assertEquals(0xff000000 | (0 << 8) | 1, TestPattern.xrgb(0, 1, 8, 3));
        assertEquals(0xff000000 | (255 << 8) | 2, TestPattern.xrgb(0, 2, 8, 3));
    }

    @Test
    public void degenerateSizesAvoidDivisionByZero() {
        // 1 x 1: no top half; w - 1 = 0 and hh - 1 = 0 give r = g = 0
        assertEquals(0xff000000, TestPattern.xrgb(0, 0, 1, 1));
        // w = 1, h = 4: bottom rows have r = 0
        assertEquals(0xff000000 | (255 << 8) | 3, TestPattern.xrgb(0, 3, 1, 4));
    }

    @Test
    public void productsWrapAt32BitsAsInC() {
        // x * 255u overflows uint32 when x > 16843009: C gives 26 here, exact maths 170.
        int r = (TestPattern.xrgb(20_000_000, 1, 30_000_000, 2) >>> 16) & 0xff;
        assertEquals(26, r);
    }

    @Test
    public void everyPixelIsOpaque() {
        for (int y = 0; y < 9; y++) {
            for (int x = 0; x < 7; x++) {
                assertEquals(0xff, TestPattern.xrgb(x, y, 7, 9) >>> 24);
            }
        }
    }

    @Test
    public void rowIsTheXrgbOfEachX() {
        int[] row = TestPattern.row(5, 16, 8);
        for (int x = 0; x < 16; x++) {
            assertEquals(TestPattern.xrgb(x, 5, 16, 8), row[x]);
        }
    }

    @Test
    public void compareIgnoresAlphaAndReportsTheFirstMismatch() {
        int w = 4;
        int h = 4;
        int stride = 5;
        int[] image = new int[stride * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image[y * stride + x] = TestPattern.xrgb(x, y, w, h) & 0x00ffffff;
            }
        }
        assertTrue(TestPattern.compare(image, stride, w, h).isEmpty());
        image[2 * stride + 3] ^= 1;
        String report = TestPattern.compare(image, stride, w, h).orElseThrow();
        assertTrue(report, report.startsWith("1 of 16 pixels differ"));
        assertTrue(report, report.contains("(3,2)"));
    }

    @Test
    public void rowsMatchAStraightTransliterationOfPatternH() {
        int[][] sizes = {{1, 1}, {7, 3}, {640, 480}, {1280, 800}, {3, 1000}};
        for (int[] size : sizes) {
            int w = size[0];
            int h = size[1];
            for (int y = 0; y < h; y += Math.max(1, h / 17)) {
                int[] expected = new int[w];
                for (int x = 0; x < w; x++) {
                    expected[x] = patternH(x, y, w, h);
                }
                assertArrayEquals(w + "x" + h + " row " + y, expected, TestPattern.row(y, w, h));
            }
        }
    }

    // pattern.h as written, for sizes whose products fit an int.
    private static int patternH(int x, int y, int w, int h) {
        int[][] bars = {{255, 255, 255}, {255, 255, 0}, {0, 255, 255}, {0, 255, 0}, {255, 0, 255}, {255, 0, 0},
            {0, 0, 255}, {0, 0, 0}};
        int top = h / 2;
        int r;
        int g;
        int b;
        if (y < top) {
            int bar = (int) ((long) x * 8 / w);
            r = bars[bar][0];
            g = bars[bar][1];
            b = bars[bar][2];
        } else {
            int yy = y - top;
            int hh = h - top;
            r = w > 1 ? (x * 255 / (w - 1)) & 0xff : 0;
            g = hh > 1 ? (yy * 255 / (hh - 1)) & 0xff : 0;
            b = (x ^ y) & 0xff;
        }
        return 0xff000000 | (r << 16) | (g << 8) | b;
    }
}
