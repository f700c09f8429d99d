package dev.neep.gpu.protocol;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Writes one struct little-endian at a buffer's position. Room for the whole struct is
 * checked first, so an encode either writes everything and advances the position, or
 * throws {@link BufferOverflowException} having written nothing.
 */
final class WireWriter {
    private final ByteBuffer target;
    private final ByteBuffer le;

    WireWriter(ByteBuffer target, int size) {
        if (target.remaining() < size) {
            throw new BufferOverflowException();
        }
        this.target = target;
        this.le = target.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    WireWriter u8(int v) {
        le.put((byte) v);
        return this;
    }

    WireWriter u32(int v) {
        le.putInt(v);
        return this;
    }

    WireWriter u64(long v) {
        le.putLong(v);
        return this;
    }

    WireWriter bytes(byte[] v) {
        le.put(v);
        return this;
    }

    WireWriter zeros(int n) {
        for (int i = 0; i < n; i++) {
            le.put((byte) 0);
        }
        return this;
    }

    WireWriter hdr(CtrlHdr h) {
        h.write(this);
        return this;
    }

    WireWriter rect(Rect r) {
        r.write(this);
        return this;
    }

    void done() {
        target.position(le.position());
    }
}
