package dev.neep.gpu.protocol;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * {@code struct virtio_gpu_get_capset}, 32 bytes. CMD_GET_CAPSET: answered by {@link RespCapset}
 * carrying the capset's bytes.
 */
public record GetCapset(CtrlHdr hdr, int capsetId, int capsetVersion) implements Request {
    public static final int SIZE = 32;
    static final String STRUCT = "virtio_gpu_get_capset";

    public GetCapset {
        Objects.requireNonNull(hdr, "hdr");
    }

    public static Decoded<GetCapset> decode(ByteBuffer src) {
        return WireReader.decode(src, STRUCT, GetCapset::read);
    }

    static GetCapset read(WireReader in) {
        CtrlHdr hdr = in.hdr();
        int capsetId = in.u32("capset_id");
        int capsetVersion = in.u32("capset_version");
        return new GetCapset(hdr, capsetId, capsetVersion);
    }

    @Override
    public void encode(ByteBuffer dst) {
        WireWriter w = new WireWriter(dst, SIZE);
        hdr.write(w);
        w.u32(capsetId);
        w.u32(capsetVersion);
        w.done();
    }
}
