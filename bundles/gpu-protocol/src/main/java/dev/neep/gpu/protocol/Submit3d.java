package dev.neep.gpu.protocol;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * {@code struct virtio_gpu_cmd_submit}, 32 bytes. CMD_SUBMIT_3D: {@code size} (u32) bytes of the
 * context's command stream follow the fixed part.
 */
public record Submit3d(CtrlHdr hdr, int size) implements Request {
    public static final int SIZE = 32;
    static final String STRUCT = "virtio_gpu_cmd_submit";

    public Submit3d {
        Objects.requireNonNull(hdr, "hdr");
    }

    public static Decoded<Submit3d> decode(ByteBuffer src) {
        return WireReader.decode(src, STRUCT, Submit3d::read);
    }

    static Submit3d read(WireReader in) {
        CtrlHdr hdr = in.hdr();
        int size = in.u32("size");
        in.skip("padding", 4);
        return new Submit3d(hdr, size);
    }

    @Override
    public void encode(ByteBuffer dst) {
        WireWriter w = new WireWriter(dst, SIZE);
        hdr.write(w);
        w.u32(size);
        w.u32(0);
        w.done();
    }
}
