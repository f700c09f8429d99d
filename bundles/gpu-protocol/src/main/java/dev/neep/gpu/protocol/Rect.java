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

    public void encode(ByteBuffer dst) {
        WireWriter w = new WireWriter(dst, SIZE);
        write(w);
        w.done();
    }

    static Rect read(WireReader r, String prefix) {
        return new Rect(r.u32(prefix + "x"), r.u32(prefix + "y"), r.u32(prefix + "width"), r.u32(prefix + "height"));
    }

    void write(WireWriter w) {
        w.u32(x).u32(y).u32(width).u32(height);
    }
}
