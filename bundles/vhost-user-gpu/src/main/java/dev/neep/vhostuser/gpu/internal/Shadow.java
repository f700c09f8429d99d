package dev.neep.vhostuser.gpu.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;

import dev.neep.gpu.api.Frame;
import dev.neep.gpu.protocol.Formats;

/**
 * One scanout's picture as the front end should see it: the UPDATE data format
 * (little-endian x8r8g8b8 words, {@code width * 4} bytes a row), so that a full-width update
 * is sent straight from it. Guarded by its display channel's lock.
 */
final class Shadow {
    final int width;
    final int height;
    final ByteBuffer pixels;
    final IntBuffer words;
    private int[] rowScratch = new int[0];

    Shadow(int width, int height) {
        this.width = width;
        this.height = height;
        this.pixels = ByteBuffer.allocateDirect(Math.multiplyExact(Math.multiplyExact(width, height), 4))
                .order(ByteOrder.LITTLE_ENDIAN);
        this.words = pixels.asIntBuffer();
    }

    /**
     * Copies the rectangle [x0, x1) x [y0, y1), inside this picture, from {@code frame},
     * converting to x8r8g8b8.
     *
     * @throws RuntimeException when the frame's pixels do not hold its geometry
     */
    void copyIn(Frame frame, int x0, int y0, int x1, int y1) {
        ByteBuffer src = frame.pixels();
        int base = src.position();
        int n = x1 - x0;
        // B8G8R8A8 and B8G8R8X8 already are x8r8g8b8 in memory: the front end ignores the X byte.
        boolean same = frame.format() == Formats.B8G8R8A8_UNORM || frame.format() == Formats.B8G8R8X8_UNORM;
        if (!same && rowScratch.length < n) {
            rowScratch = new int[n];
        }
        for (int y = y0; y < y1; y++) {
            int from = Math.addExact(base, Math.addExact(Math.multiplyExact(y, frame.stride()), x0 * 4));
            int to = y * width + x0;
            if (same) {
                pixels.put(to * 4, src, from, n * 4);
            } else {
                Formats.toArgb(frame.format(), src, from, rowScratch, 0, n);
                words.put(to, rowScratch, 0, n);
            }
        }
    }
}
