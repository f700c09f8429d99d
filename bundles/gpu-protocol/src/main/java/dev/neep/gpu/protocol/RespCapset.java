package dev.neep.gpu.protocol;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * {@code struct virtio_gpu_resp_capset}: RESP_OK_CAPSET, the 24-byte header ({@link #SIZE})
 * followed by the capset's bytes. The array is copied in and out, so the record stays immutable.
 */
public record RespCapset(CtrlHdr hdr, byte[] capsetData) implements Response {
    /** The fixed part; {@code capsetData.length} bytes follow it. */
    public static final int SIZE = CtrlHdr.SIZE;
    static final String STRUCT = "virtio_gpu_resp_capset";

    public RespCapset {
        Objects.requireNonNull(hdr, "hdr");
        capsetData = capsetData.clone();
    }

    @Override
    public byte[] capsetData() {
        return capsetData.clone();
    }

    /** Header plus data. */
    @Override
    public int encodedSize() {
        return SIZE + capsetData.length;
    }

    /** The header, and every byte after it up to the source's limit as the capset data. */
    public static Decoded<RespCapset> decode(ByteBuffer src) {
        WireReader r = new WireReader(src, STRUCT);
        CtrlHdr hdr = r.hdr();
        byte[] data = r.bytes("capset_data", r.remaining());
        return r.finish(new RespCapset(hdr, data));
    }

    @Override
    public void encode(ByteBuffer dst) {
        WireWriter w = new WireWriter(dst, encodedSize());
        hdr.write(w);
        w.bytes(capsetData);
        w.done();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RespCapset other && hdr.equals(other.hdr) && Arrays.equals(capsetData, other.capsetData);
    }

    @Override
    public int hashCode() {
        return 31 * hdr.hashCode() + Arrays.hashCode(capsetData);
    }

    @Override
    public String toString() {
        return "RespCapset[hdr=" + hdr + ", capsetData=" + capsetData.length + " bytes]";
    }
}
