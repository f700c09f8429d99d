package dev.neep.gpu.protocol;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * {@code struct virtio_gpu_resp_edid}, 1056 bytes: RESP_OK_EDID. {@code edid} is always the
 * full 1024-byte field; the blob's length is {@code size}. Arrays are copied in and out.
 */
public record RespEdid(CtrlHdr hdr, int size, byte[] edid) implements Response {
    public static final int SIZE = 1056;
    /** Length of the {@code edid} field. */
    public static final int EDID_CAPACITY = 1024;
    static final String STRUCT = "virtio_gpu_resp_edid";

    public RespEdid {
        Objects.requireNonNull(hdr, "hdr");
        if (edid.length != EDID_CAPACITY) {
            throw new IllegalArgumentException("edid field is " + EDID_CAPACITY + " bytes, not " + edid.length);
        }
        edid = edid.clone();
    }

    /** A response carrying {@code blob} (at most 1024 bytes), zero-padded, with {@code size} = its length. */
    public static RespEdid of(CtrlHdr hdr, byte[] blob) {
        if (blob.length > EDID_CAPACITY) {
            throw new IllegalArgumentException("EDID of " + blob.length + " bytes exceeds " + EDID_CAPACITY);
        }
        return new RespEdid(hdr, blob.length, Arrays.copyOf(blob, EDID_CAPACITY));
    }

    @Override
    public byte[] edid() {
        return edid.clone();
    }

    /** The first {@code size} bytes of the field (all 1024 if {@code size} claims more). */
    public byte[] blob() {
        long n = Math.min(Integer.toUnsignedLong(size), EDID_CAPACITY);
        return Arrays.copyOf(edid, (int) n);
    }

    public static Decoded<RespEdid> decode(ByteBuffer src) {
        WireReader r = new WireReader(src, STRUCT);
        CtrlHdr hdr = r.hdr();
        int size = r.u32("size");
        r.skip("padding", 4);
        byte[] edid = r.bytes("edid", EDID_CAPACITY);
        return r.finish(new RespEdid(hdr, size, edid));
    }

    @Override
    public int encodedSize() {
        return SIZE;
    }

    @Override
    public void encode(ByteBuffer dst) {
        WireWriter w = new WireWriter(dst, SIZE);
        hdr.write(w);
        w.u32(size).u32(0).bytes(edid);
        w.done();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RespEdid other && hdr.equals(other.hdr) && size == other.size
                && Arrays.equals(edid, other.edid);
    }

    @Override
    public int hashCode() {
        return Objects.hash(hdr, size) * 31 + Arrays.hashCode(edid);
    }

    @Override
    public String toString() {
        return "RespEdid[hdr=" + hdr + ", size=" + Integer.toUnsignedString(size) + "]";
    }
}
