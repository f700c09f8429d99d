package dev.neep.gpu.protocol;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * {@code struct virtio_gpu_set_scanout}, 48 bytes. CMD_SET_SCANOUT: show rectangle {@code r} of a
 * resource on a scanout; resource 0 disables the scanout.
 */
public record SetScanout(CtrlHdr hdr, Rect r, int scanoutId, int resourceId) implements Request {
    public static final int SIZE = 48;
    static final String STRUCT = "virtio_gpu_set_scanout";

    public SetScanout {
        Objects.requireNonNull(hdr, "hdr");
        Objects.requireNonNull(r, "r");
    }

    public static Decoded<SetScanout> decode(ByteBuffer src) {
        return WireReader.decode(src, STRUCT, SetScanout::read);
    }

    static SetScanout read(WireReader in) {
        CtrlHdr hdr = in.hdr();
        Rect r = in.rect("r.");
        int scanoutId = in.u32("scanout_id");
        int resourceId = in.u32("resource_id");
        return new SetScanout(hdr, r, scanoutId, resourceId);
    }

    @Override
    public void encode(ByteBuffer dst) {
        WireWriter w = new WireWriter(dst, SIZE);
        hdr.write(w);
        r.write(w);
        w.u32(scanoutId);
        w.u32(resourceId);
        w.done();
    }
}
