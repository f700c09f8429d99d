package dev.neep.gpu.protocol;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * {@code struct virtio_gpu_ctrl_hdr}, 24 bytes. CMD_GET_DISPLAY_INFO: the header alone; answered
 * by {@link RespDisplayInfo}.
 */
public record GetDisplayInfo(CtrlHdr hdr) implements Request {
    public static final int SIZE = 24;
    static final String STRUCT = "virtio_gpu_ctrl_hdr";

    public GetDisplayInfo {
        Objects.requireNonNull(hdr, "hdr");
    }

    public static Decoded<GetDisplayInfo> decode(ByteBuffer src) {
        return WireReader.decode(src, STRUCT, GetDisplayInfo::read);
    }

    static GetDisplayInfo read(WireReader in) {
        CtrlHdr hdr = in.hdr();
        return new GetDisplayInfo(hdr);
    }

    @Override
    public void encode(ByteBuffer dst) {
        WireWriter w = new WireWriter(dst, SIZE);
        hdr.write(w);
        w.done();
    }
}
