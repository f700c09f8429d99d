package dev.neep.gpu.protocol;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * {@code struct virtio_gpu_resp_map_info}, 32 bytes. RESP_OK_MAP_INFO: {@code mapInfo} carries the
 * caching type ({@link Blobs#MAP_CACHE_MASK}).
 */
public record RespMapInfo(CtrlHdr hdr, int mapInfo) implements Response {
    public static final int SIZE = 32;
    static final String STRUCT = "virtio_gpu_resp_map_info";

    public RespMapInfo {
        Objects.requireNonNull(hdr, "hdr");
    }

    public static Decoded<RespMapInfo> decode(ByteBuffer src) {
        WireReader in = new WireReader(src, STRUCT);
        CtrlHdr hdr = in.hdr();
        int mapInfo = in.u32("map_info");
        in.skip("padding", 4);
        return in.finish(new RespMapInfo(hdr, mapInfo));
    }

    @Override
    public int encodedSize() {
        return SIZE;
    }

    @Override
    public void encode(ByteBuffer dst) {
        WireWriter w = new WireWriter(dst, SIZE);
        hdr.write(w);
        w.u32(mapInfo);
        w.u32(0);
        w.done();
    }
}
