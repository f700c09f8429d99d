package dev.neep.vhostuser.protocol;

import java.nio.ByteBuffer;

/**
 * "A vring address description": {@code index} u32, {@code flags} u32, then the
 * front end's user addresses of the descriptor table, the used ring and the available
 * ring (in that order), and {@code log}, a guest address for dirty logging. Logging
 * ({@code flags} bit 0, VHOST_VRING_F_LOG) is for migration, which this back-end does not
 * offer (no VHOST_F_LOG_ALL), so {@code flags} and {@code log} are not used.
 */
public record VringAddr(int index, int flags, long descriptor, long used, long available, long log) {
    public static final int SIZE = 40;

    public static VringAddr decode(ByteBuffer src) {
        return new VringAddr(src.getInt(), src.getInt(), src.getLong(), src.getLong(), src.getLong(), src.getLong());
    }

    public void encode(ByteBuffer dst) {
        dst.putInt(index).putInt(flags).putLong(descriptor).putLong(used).putLong(available).putLong(log);
    }
}
