package dev.neep.gpu.protocol;

import java.nio.ByteBuffer;

/** {@code struct virtio_gpu_cursor_pos}: scanout and position, then 4 bytes of padding. */
public record CursorPos(int scanoutId, int x, int y) {
    public static final int SIZE = 16;
    static final String STRUCT = "virtio_gpu_cursor_pos";

    public static Decoded<CursorPos> decode(ByteBuffer src) {
        WireReader r = new WireReader(src, STRUCT);
        return r.finish(read(r, ""));
    }

    public void encode(ByteBuffer dst) {
        WireWriter w = new WireWriter(dst, SIZE);
        write(w);
        w.done();
    }

    static CursorPos read(WireReader r, String prefix) {
        CursorPos p = new CursorPos(r.u32(prefix, "scanout_id"), r.u32(prefix, "x"), r.u32(prefix, "y"));
        r.skip(prefix, "padding", 4);
        return p;
    }

    void write(WireWriter w) {
        w.u32(scanoutId).u32(x).u32(y).u32(0);
    }
}
