package dev.neep.display.support;

import dev.neep.gpu.api.Frame;
import dev.neep.gpu.api.Frames;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.Rect;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;

/**
 * A scanout's pixels as packed ARGB without stride padding, kept up to date from frames.
 * Not thread-safe: its owner guards it.
 */
public final class Picture {
    private int width;
    private int height;
    private boolean alpha;
    private int[] argb = new int[0];

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /**
     * Converts the frame's pixels inside {@code dirty} (clipped to the frame); all of them when
     * the frame's size or alpha differs from this picture's, since the rest of it would not fit.
     *
     * @throws IllegalArgumentException if the frame's format is not a 2D format
     */
    public void update(Frame frame, Rect dirty) {
        int w = frame.width();
        int h = frame.height();
        boolean hasAlpha = Formats.hasAlpha(frame.format());
        Rect area;
        if (w != width || h != height || hasAlpha != alpha) {
            argb = new int[Math.multiplyExact(w, h)];
            width = w;
            height = h;
            alpha = hasAlpha;
            area = new Rect(0, 0, w, h);
        } else {
            area = Frames.clip(dirty, w, h);
        }
        Frames.toArgb(frame, area, argb);
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
