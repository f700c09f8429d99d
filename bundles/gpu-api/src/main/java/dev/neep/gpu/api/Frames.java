package dev.neep.gpu.api;

import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.Rect;
import java.nio.ByteBuffer;

/** Reading a {@link Frame}'s pixels as ARGB, for sinks that keep a copy of a scanout. */
public final class Frames {

    private Frames() {
    }

    /**
     * {@code dirty} clipped to a {@code width} x {@code height} picture at (0, 0); its width or
     * height is 0 when the two do not meet. The device passes a guest-controlled rectangle
     * through, so it may reach far outside the frame.
     */
    public static Rect clip(Rect dirty, int width, int height) {
        int x0 = (int) Math.max(0, dirty.x());
        int y0 = (int) Math.max(0, dirty.y());
        int x1 = (int) Math.min(width, (long) dirty.x() + dirty.width());
        int y1 = (int) Math.min(height, (long) dirty.y() + dirty.height());
        return new Rect(x0, y0, Math.max(0, x1 - x0), Math.max(0, y1 - y0));
    }

    /**
     * The smallest rectangle holding {@code a} and {@code b}, for folding dirty rectangles;
     * coordinates are unsigned, as on the wire, and a side too long for an int is cut to
     * {@code Integer.MAX_VALUE}.
     */
    public static Rect union(Rect a, Rect b) {
        long x0 = Math.min(Integer.toUnsignedLong(a.x()), Integer.toUnsignedLong(b.x()));
        long y0 = Math.min(Integer.toUnsignedLong(a.y()), Integer.toUnsignedLong(b.y()));
        long x1 = Math.max(Integer.toUnsignedLong(a.x()) + Integer.toUnsignedLong(a.width()),
                Integer.toUnsignedLong(b.x()) + Integer.toUnsignedLong(b.width()));
        long y1 = Math.max(Integer.toUnsignedLong(a.y()) + Integer.toUnsignedLong(a.height()),
                Integer.toUnsignedLong(b.y()) + Integer.toUnsignedLong(b.height()));
        return new Rect((int) x0, (int) y0, (int) Math.min(Integer.MAX_VALUE, x1 - x0),
                (int) Math.min(Integer.MAX_VALUE, y1 - y0));
    }

    /**
     * Converts the pixels of {@code frame} inside {@code area} to packed ARGB (see
     * {@link Formats}) at the same places of {@code dst}, a row-major
     * {@code frame.width()} x {@code frame.height()} picture.
     *
     * @param area inside the frame, as {@link #clip} returns it
     * @throws IllegalArgumentException if the frame's format is not a 2D format
     * @throws IndexOutOfBoundsException if the frame's buffer or {@code dst} is too small for its geometry
     * @throws ArithmeticException if a byte offset overflows an int
     */
    public static void toArgb(Frame frame, Rect area, int[] dst) {
        ByteBuffer src = frame.pixels();
        int base = src.position();
        int bpp = Formats.bytesPerPixel(frame.format());
        for (int y = area.y(); y < area.y() + area.height() && area.width() > 0; y++) {
            int at = Math.addExact(base, Math.addExact(Math.multiplyExact(y, frame.stride()), area.x() * bpp));
            Formats.toArgb(frame.format(), src, at, dst, y * frame.width() + area.x(), area.width());
        }
    }
}
