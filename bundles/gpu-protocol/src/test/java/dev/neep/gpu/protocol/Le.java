package dev.neep.gpu.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/**
 * Builds little-endian frames byte by byte, independent of the code under test, so a decode
 * test checks the spec's offsets and not the encoder's.
 */
final class Le {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static Le frame() {
        return new Le();
    }

    Le u8(int v) {
        out.write(v & 0xff);
        return this;
    }

    Le u32(long v) {
        for (int i = 0; i < 4; i++) {
            out.write((int) (v >>> (8 * i)) & 0xff);
        }
        return this;
    }

    Le u64(long v) {
        for (int i = 0; i < 8; i++) {
            out.write((int) (v >>> (8 * i)) & 0xff);
        }
        return this;
    }

    Le zeros(int n) {
        for (int i = 0; i < n; i++) {
            out.write(0);
        }
        return this;
    }

    Le bytes(byte[] b) {
        out.write(b, 0, b.length);
        return this;
    }

    Le hdr(int type, int flags, long fenceId, int ctxId, int ringIdx) {
        return u32(type).u32(flags).u64(fenceId).u32(ctxId).u8(ringIdx).zeros(3);
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    /** A big-endian buffer over the frame, so only explicit little-endian decoding passes. */
    ByteBuffer buffer() {
        return ByteBuffer.wrap(bytes());
    }
}
