package dev.neep.gpu.protocol;

import java.nio.ByteBuffer;

/** {@code struct virtio_gpu_box}: the region of a 3D transfer. */
public record Box(int x, int y, int z, int w, int h, int d) {
    public static final int SIZE = 24;
    static final String STRUCT = "virtio_gpu_box";

    public static Decoded<Box> decode(ByteBuffer src) {
        WireReader r = new WireReader(src, STRUCT);
        return r.finish(read(r, ""));
    }

    public void encode(ByteBuffer dst) {
        WireWriter w = new WireWriter(dst, SIZE);
        write(w);
        w.done();
    }

    static Box read(WireReader r, String prefix) {
        return new Box(r.u32(prefix, "x"), r.u32(prefix, "y"), r.u32(prefix, "z"),
                r.u32(prefix, "w"), r.u32(prefix, "h"), r.u32(prefix, "d"));
    }

    void write(WireWriter out) {
        out.u32(x).u32(y).u32(z).u32(w).u32(h).u32(d);
    }
}
