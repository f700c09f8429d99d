package dev.neep.gpu.protocol;

import java.nio.ByteBuffer;

/** {@code struct virtio_gpu_display_one}: one scanout's preferred mode in RESP_OK_DISPLAY_INFO. */
public record DisplayOne(Rect r, int enabled, int flags) {
    public static final int SIZE = 24;
    static final String STRUCT = "virtio_gpu_display_one";

    public static final DisplayOne DISABLED = new DisplayOne(new Rect(0, 0, 0, 0), 0, 0);

    public boolean isEnabled() {
        return enabled != 0;
    }

    public static Decoded<DisplayOne> decode(ByteBuffer src) {
        WireReader r = new WireReader(src, STRUCT);
        return r.finish(read(r, ""));
    }

    public void encode(ByteBuffer dst) {
        WireWriter w = new WireWriter(dst, SIZE);
        write(w);
        w.done();
    }

    static DisplayOne read(WireReader r, String prefix) {
        return new DisplayOne(r.rect(prefix + "r."), r.u32(prefix, "enabled"), r.u32(prefix, "flags"));
    }

    void write(WireWriter w) {
        w.rect(r).u32(enabled).u32(flags);
    }
}
