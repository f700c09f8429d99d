package dev.neep.display.support;

import dev.neep.gpu.api.Frames;
import dev.neep.gpu.api.Pixels;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.Rect;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;

/**
 * A scanout's pixels as packed ARGB without stride padding, kept up to date from the dirty
 * rectangles of a device's {@link Pixels}. Not thread-safe: its owner guards it.
 */
public final class Picture {
    private int width;
    private int height;
    private boolean alpha;
    /** A read failed after the picture changed shape: the next update reads it whole. */
    private boolean partial;
    private int[] argb = new int[0];

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /**
     * Reads and converts the pixels inside {@code dirty} (clipped to the scanout), on this
     * thread; all of them when the size or alpha differs from this picture's, since the rest of
     * it would not fit.
     *
     * @return what {@link Pixels#read} returned: {@code false} when the pixels were not read
     *         whole (a newer update or a new geometry is on its way), and {@code dirty} must be
     *         read again with the next update
     * @throws IllegalArgumentException if the format is not a 2D format
     */
    public boolean update(Pixels pixels, Rect dirty) {
        int w = pixels.width();
        int h = pixels.height();
        boolean hasAlpha = Formats.hasAlpha(pixels.format());
        Rect area;
        if (w != width || h != height || hasAlpha != alpha || partial) {
            if (w != width || h != height) {
                argb = new int[Math.multiplyExact(w, h)];
            }
            width = w;
            height = h;
            alpha = hasAlpha;
            area = new Rect(0, 0, w, h);
        } else {
            area = Frames.clip(dirty, w, h);
        }
        boolean whole = pixels.read(f -> Frames.toArgb(f, area, argb));
        partial = !whole && area.width() == w && area.height() == h;
        return whole;
    }

    /** Makes this picture a copy of {@code p}, reusing its array when the size allows. */
    public void copyOf(Picture p) {
        if (argb.length != p.argb.length) {
            argb = new int[p.argb.length];
        }
        System.arraycopy(p.argb, 0, argb, 0, argb.length);
        width = p.width;
        height = p.height;
        alpha = p.alpha;
    }

    /** A new image of the pixels: X formats become opaque RGB, the others ARGB with their alpha. */
    public BufferedImage toImage() {
        BufferedImage image = new BufferedImage(width, height,
                alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        System.arraycopy(argb, 0, ((DataBufferInt) image.getRaster().getDataBuffer()).getData(), 0, argb.length);
        return image;
    }
}
