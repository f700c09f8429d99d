package dev.neep.gpu.protocol;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A response that is the 24-byte header alone: RESP_OK_NODATA and every RESP_ERR_*
 * (virtio 1.3 defines no payload for errors).
 */
public record RespNoData(CtrlHdr hdr) implements Response {
    public static final int SIZE = CtrlHdr.SIZE;

    public RespNoData {
        Objects.requireNonNull(hdr, "hdr");
    }

    public static Decoded<RespNoData> decode(ByteBuffer src) {
        return CtrlHdr.decode(src).map(RespNoData::new);
    }

    @Override
    public int encodedSize() {
        return SIZE;
    }

    @Override
    public void encode(ByteBuffer dst) {
        hdr.encode(dst);
    }
}
