package dev.neep.gpu.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Function;

/**
 * Reads one struct field by field from a buffer's position, little-endian whatever the
 * buffer's own order. The first field that does not fit is remembered and every later read
 * yields zero, so a decoder reads straight through and asks {@link #finish} at the end:
 * the error then names the exact field where the bytes ran out.
 *
 * <p>A request's reader may start after a header its caller has already decoded: {@link #hdr}
 * then gives that header, and offsets in errors still count from the start of the struct.
 */
final class WireReader {
    private final ByteBuffer source;
    private final ByteBuffer le;
    private final int start;
    private final String struct;
    /** The header decoded before this reader started, or null when the source begins with it. */
    private final CtrlHdr known;
    /** Bytes of the struct before the source's position: the known header's. */
    private final int before;
    private DecodeError error;

    WireReader(ByteBuffer source, String struct) {
        this(source, struct, null);
    }

    private WireReader(ByteBuffer source, String struct, CtrlHdr known) {
        this.source = source;
        this.le = source.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        this.start = source.position();
        this.struct = struct;
        this.known = known;
        this.before = known == null ? 0 : CtrlHdr.SIZE;
    }

    /** Decodes one struct from the source's position with {@code read}, see {@link #finish}. */
    static <T> Decoded<T> decode(ByteBuffer src, String struct, Function<WireReader, T> read) {
        WireReader in = new WireReader(src, struct);
        return in.finish(read.apply(in));
    }

    /** As {@link #decode}, for a request whose header {@code hdr} was decoded already: {@code body} follows it. */
    static <T> Decoded<T> decodeAfter(CtrlHdr hdr, ByteBuffer body, String struct, Function<WireReader, T> read) {
        WireReader in = new WireReader(body, struct, hdr);
        return in.finish(read.apply(in));
    }

    /**
     * Whether {@code size} more bytes are there for field {@code prefix + field}; the name is
     * joined only for the error, so that decoding a nested struct allocates no string.
     */
    private boolean fits(String prefix, String field, int size) {
        if (error != null) {
            return false;
        }
        if (le.remaining() < size) {
            int offset = before + le.position() - start;
            error = DecodeError.truncated(struct, prefix + field, before + source.remaining(), (long) offset + size);
            return false;
        }
        return true;
    }

    int u8(String field) {
        return u8("", field);
    }

    int u32(String field) {
        return u32("", field);
    }

    long u64(String field) {
        return u64("", field);
    }

    /** Field {@code field} of a nested struct whose fields are named {@code prefix}: {@code r.x}. */
    int u8(String prefix, String field) {
        return fits(prefix, field, 1) ? le.get() & 0xff : 0;
    }

    int u32(String prefix, String field) {
        return fits(prefix, field, 4) ? le.getInt() : 0;
    }

    long u64(String prefix, String field) {
        return fits(prefix, field, 8) ? le.getLong() : 0;
    }

    /** Reads {@code n} raw bytes. */
    byte[] bytes(String field, int n) {
        byte[] out = new byte[n];
        if (fits("", field, n)) {
            le.get(out);
        }
        return out;
    }

    void skip(String field, int n) {
        skip("", field, n);
    }

    void skip(String prefix, String field, int n) {
        if (fits(prefix, field, n)) {
            le.position(le.position() + n);
        }
    }

    /** Bytes left after what has been read so far. */
    int remaining() {
        return error != null ? 0 : le.remaining();
    }

    CtrlHdr hdr() {
        return known != null ? known : CtrlHdr.read(this, "hdr.");
    }

    Rect rect(String prefix) {
        return Rect.read(this, prefix);
    }

    void fail(DecodeError e) {
        if (error == null) {
            error = e;
        }
    }

    String struct() {
        return struct;
    }

    /**
     * The decoded value and the source's position moved past it, or the first error with the
     * source untouched.
     */
    <T> Decoded<T> finish(T value) {
        if (error != null) {
            return Decoded.failed(error);
        }
        source.position(le.position());
        return Decoded.ok(value);
    }
}
