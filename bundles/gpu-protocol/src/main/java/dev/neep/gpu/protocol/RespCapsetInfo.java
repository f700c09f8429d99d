package dev.neep.gpu.protocol;

import java.nio.ByteBuffer;
import java.util.Objects;

/** {@code struct virtio_gpu_resp_capset_info}, 40 bytes. RESP_OK_CAPSET_INFO. */
public record RespCapsetInfo(CtrlHdr hdr, int capsetId, int capsetMaxVersion, int capsetMaxSize) implements Response {
    public static final int SIZE = 40;
    static final String STRUCT = "virtio_gpu_resp_capset_info";

    public RespCapsetInfo {
        Objects.requireNonNull(hdr, "hdr");
    }

    public static Decoded<RespCapsetInfo> decode(ByteBuffer src) {
        WireReader in = new WireReader(src, STRUCT);
        CtrlHdr hdr = in.hdr();
        int capsetId = in.u32("capset_id");
        int capsetMaxVersion = in.u32("capset_max_version");
        int capsetMaxSize = in.u32("capset_max_size");
        in.skip("padding", 4);
        return in.finish(new RespCapsetInfo(hdr, capsetId, capsetMaxVersion, capsetMaxSize));
    }

    @Override
    public int encodedSize() {
        return SIZE;
    }

    @Override
    public void encode(ByteBuffer dst) {
        WireWriter w = new WireWriter(dst, SIZE);
        hdr.write(w);
        w.u32(capsetId);
        w.u32(capsetMaxVersion);
        w.u32(capsetMaxSize);
        w.u32(0);
        w.done();
    }
}
