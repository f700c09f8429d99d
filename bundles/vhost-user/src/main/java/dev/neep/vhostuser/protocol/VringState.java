package dev.neep.vhostuser.protocol;

import java.nio.ByteBuffer;

/** "A vring state description": {@code index} u32, {@code num} u32. */
public record VringState(int index, int num) {
    public static final int SIZE = 8;

    public static VringState decode(ByteBuffer src) {
        return new VringState(src.getInt(), src.getInt());
    }

    public void encode(ByteBuffer dst) {
        dst.putInt(index).putInt(num);
    }
}
