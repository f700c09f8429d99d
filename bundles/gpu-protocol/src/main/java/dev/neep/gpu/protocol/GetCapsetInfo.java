package dev.neep.gpu.protocol;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * {@code struct virtio_gpu_get_capset_info}, 32 bytes. CMD_GET_CAPSET_INFO: ask for capset number
 * {@code capsetIndex} (0 .. num_capsets - 1).
 */
public record GetCapsetInfo(CtrlHdr hdr, int capsetIndex) implements Request {
    public static final int SIZE = 32;
    static final String STRUCT = "virtio_gpu_get_capset_info";

    public GetCapsetInfo {
        Objects.requireNonNull(hdr, "hdr");
    }

    public static Decoded<GetCapsetInfo> decode(ByteBuffer src) {
        return WireReader.decode(src, STRUCT, GetCapsetInfo::read);
    }

    static GetCapsetInfo read(WireReader in) {
        CtrlHdr hdr = in.hdr();
        int capsetIndex = in.u32("capset_index");
        in.skip("padding", 4);
        return new GetCapsetInfo(hdr, capsetIndex);
    }

    @Override
    public void encode(ByteBuffer dst) {
        WireWriter w = new WireWriter(dst, SIZE);
        hdr.write(w);
        w.u32(capsetIndex);
        w.u32(0);
        w.done();
    }
}
