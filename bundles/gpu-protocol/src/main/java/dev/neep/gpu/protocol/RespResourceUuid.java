package dev.neep.gpu.protocol;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.UUID;

/**
 * {@code struct virtio_gpu_resp_resource_uuid}, 40 bytes: RESP_OK_RESOURCE_UUID. The 16 uuid
 * bytes are in RFC 4122 order (most significant byte first), which is how {@link UUID} reads them.
 */
public record RespResourceUuid(CtrlHdr hdr, UUID uuid) implements Response {
    public static final int SIZE = 40;
    static final String STRUCT = "virtio_gpu_resp_resource_uuid";

    public RespResourceUuid {
        Objects.requireNonNull(hdr, "hdr");
        Objects.requireNonNull(uuid, "uuid");
    }

    public static Decoded<RespResourceUuid> decode(ByteBuffer src) {
        WireReader r = new WireReader(src, STRUCT);
        CtrlHdr hdr = r.hdr();
        ByteBuffer bytes = ByteBuffer.wrap(r.bytes("uuid", 16));   // big-endian: RFC 4122 byte order
        return r.finish(new RespResourceUuid(hdr, new UUID(bytes.getLong(), bytes.getLong())));
    }

    @Override
    public int encodedSize() {
        return SIZE;
    }

    @Override
    public void encode(ByteBuffer dst) {
        WireWriter w = new WireWriter(dst, SIZE);
        hdr.write(w);
        byte[] bytes = ByteBuffer.allocate(16)
                .putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits()).array();
        w.bytes(bytes);
        w.done();
    }
}
