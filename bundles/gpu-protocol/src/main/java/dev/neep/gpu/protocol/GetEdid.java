package dev.neep.gpu.protocol;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * {@code struct virtio_gpu_cmd_get_edid}, 32 bytes. CMD_GET_EDID (feature EDID): answered by
 * {@link RespEdid}.
 */
public record GetEdid(CtrlHdr hdr, int scanout) implements Request {
    public static final int SIZE = 32;
    static final String STRUCT = "virtio_gpu_cmd_get_edid";

    public GetEdid {
        Objects.requireNonNull(hdr, "hdr");
    }

    public static Decoded<GetEdid> decode(ByteBuffer src) {
        return WireReader.decode(src, STRUCT, GetEdid::read);
    }

    static GetEdid read(WireReader in) {
        CtrlHdr hdr = in.hdr();
        int scanout = in.u32("scanout");
        in.skip("padding", 4);
        return new GetEdid(hdr, scanout);
    }

    @Override
    public void encode(ByteBuffer dst) {
        WireWriter w = new WireWriter(dst, SIZE);
        hdr.write(w);
        w.u32(scanout);
        w.u32(0);
        w.done();
    }
}
