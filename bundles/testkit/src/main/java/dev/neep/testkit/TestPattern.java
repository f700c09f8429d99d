package dev.neep.testkit;

import java.util.Optional;

/**
 * The deterministic test image of the guest harness ({@code guest/src/pattern.h}, checked
 * by {@code check-pattern.py}), with the same unsigned integer maths, so a frame drawn in a
 * real Linux guest and one drawn by {@link GpuDriver#drawPattern} compare equal.
 *
 * <p>Top half ({@code y < h/2}): eight vertical bars, bar {@code x*8/w}: white, yellow, cyan,
 * green, magenta, red, blue, black. Bottom half: red {@code x*255/(w-1)}, green
 * {@code (y-h/2)*255/(h-h/2-1)}, blue {@code (x^y) & 0xff}.
 */
public final class TestPattern {

    private static final int[] BARS = {
        0xffffff, 0xffff00, 0x00ffff, 0x00ff00, 0xff00ff, 0xff0000, 0x0000ff, 0x000000,
    };

    private TestPattern() {
    }

    /**
     * The pixel at ({@code x}, {@code y}) of a {@code w} x {@code h} image as opaque ARGB
     * (pattern_xrgb: 0xff in the top byte). Arguments are read as the C code's uint32_t.
     */
    public static int xrgb(int x, int y, int w, int h) {
        long ux = Integer.toUnsignedLong(x);
        long uy = Integer.toUnsignedLong(y);
        long uw = Integer.toUnsignedLong(w);
        long uh = Integer.toUnsignedLong(h);
        long top = uh / 2;
        int r;
        int g;
        int b;
        if (uy < top) {
            int bar = BARS[(int) (ux * 8 / uw)];
            r = bar >>> 16;
            g = (bar >>> 8) & 0xff;
            b = bar & 0xff;
        } else {
            long yy = uy - top;
            long hh = uh - top;
            // x * 255u and yy * 255u are 32-bit products in C: wrap them the same way.
            r = uw > 1 ? (int) (((ux * 255) & 0xffffffffL) / (uw - 1)) & 0xff : 0;
            g = hh > 1 ? (int) (((yy * 255) & 0xffffffffL) / (hh - 1)) & 0xff : 0;
            b = (int) ((ux ^ uy) & 0xff);
        }
        return 0xff000000 | (r << 16) | (g << 8) | b;
    }

    /** Row {@code y} of the image, {@code w} ARGB pixels. */
    public static int[] row(int y, int w, int h) {
        int[] row = new int[w];
        for (int x = 0; x < w; x++) {
            row[x] = xrgb(x, y, w, h);
        }
        return row;
    }

    /** The whole {@code w} x {@code h} image, ARGB, row-major. */
    public static int[] image(int w, int h) {
        int[] argb = new int[w * h];
        for (int y = 0; y < h; y++) {
            System.arraycopy(row(y, w, h), 0, argb, y * w, w);
        }
        return argb;
    }

    /**
     * Compares an ARGB image ({@code strideInPixels} apart per row) with the pattern, ignoring
     * alpha since the pattern is drawn in an X format.
     *
     * @return empty when every pixel matches, else the first mismatch and how many there are
     */
    public static Optional<String> compare(int[] argb, int strideInPixels, int w, int h) {
        long mismatches = 0;
        String first = null;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int expected = xrgb(x, y, w, h) & 0xffffff;
                int actual = argb[y * strideInPixels + x] & 0xffffff;
                if (expected != actual) {
                    if (first == null) {
                        first = String.format("(%d,%d) is #%06x, the pattern has #%06x", x, y, actual, expected);
                    }
                    mismatches++;
                }
            }
        }
        if (first == null) {
            return Optional.empty();
        }
        return Optional.of(mismatches + " of " + ((long) w * h) + " pixels differ from the test pattern; first: "
                + first);
    }
}
