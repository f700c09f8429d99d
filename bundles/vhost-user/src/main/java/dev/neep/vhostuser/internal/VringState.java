package dev.neep.vhostuser.internal;

import java.nio.ByteBuffer;

/** "A vring state description": {@code index} u32, {@code num} u32. */
record VringState(int index, int num) {
    static final int SIZE = 8;

    static VringState decode(ByteBuffer src) {
        return new VringState(src.getInt(), src.getInt());
    }

    void encode(ByteBuffer dst) {
        dst.putInt(index).putInt(num);
    }
}
