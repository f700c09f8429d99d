package dev.neep.gpu.protocol;

import java.nio.ByteBuffer;

/** {@code struct virtio_gpu_rect}. All four fields are u32 carried in Java ints. */
public record Rect(int x, int y, int width, int height) {
    public static final int SIZE = 16;
    static final String STRUCT = "virtio_gpu_rect";

    public static Decoded<Rect> decode(ByteBuffer src) {
        WireReader r = new WireReader(src, STRUCT);
        return r.finish(read(r, ""));
    }

    /** True when the rectangle lies inside a {@code width} x {@code height} area at (0, 0), all values u32. */
    public boolean within(int width, int height) {
        // two u32 summed in a long cannot overflow
        return Integer.toUnsignedLong(x) + Integer.toUnsignedLong(this.width) <= Integer.toUnsignedLong(width)
                && Integer.toUnsignedLong(y) + Integer.toUnsignedLong(this.height) <= Integer.toUnsignedLong(height);
    }

    /**
     * Where the rectangle's pixels end in a linear buffer whose rows are {@code stride} bytes
     * apart, when its top-left pixel is at byte {@code offset}: one past its last byte
     * ({@code offset} for an empty rectangle). -1 when {@code offset} is negative (a u64 beyond
     * 2^63) or the end does not fit a long: outside any buffer either way. The one formula for
     * what a transfer reads from a resource's backing and what a blob scanout shows.
     */
    public long end(long offset, long stride, int bytesPerPixel) {
        if (offset < 0) {
            return -1;
        }
        long w = Integer.toUnsignedLong(width);
        long h = Integer.toUnsignedLong(height);
        if (w == 0 || h == 0) {
            return offset;
        }
        try {
            return Math.addExact(offset, Math.addExact(Math.multiplyExact(h - 1, stride), w * bytesPerPixel));
        } catch (ArithmeticException e) {
            return -1;
        }
    }

    public void encode(ByteBuffer dst) {
        WireWriter w = new WireWriter(dst, SIZE);
        write(w);
        w.done();
    }

    static Rect read(WireReader r, String prefix) {
        return new Rect(r.u32(prefix, "x"), r.u32(prefix, "y"), r.u32(prefix, "width"), r.u32(prefix, "height"));
    }

    void write(WireWriter w) {
        w.u32(x).u32(y).u32(width).u32(height);
    }
}
