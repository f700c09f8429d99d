package dev.neep.vhostuser.protocol;

import java.nio.ByteBuffer;

/**
 * "Virtio device config space": {@code offset} u32, {@code size} u32, {@code flags} u32,
 * then {@code size} bytes of configuration space (GET_CONFIG, SET_CONFIG).
 */
public record ConfigSpace(int offset, int size, int flags, byte[] payload) {
    public static final int HEADER_SIZE = 12;
    /** VHOST_USER_MAX_CONFIG_SIZE. */
    public static final int MAX_SIZE = 256;
    /** flags: written by the guest (0) or restored by migration (1). */
    public static final int FLAG_WRITABLE = 0;
    public static final int FLAG_MIGRATION = 1;

    /** Reads the three fields and {@code payloadLength} bytes after them. */
    public static ConfigSpace decode(ByteBuffer src, int payloadLength) {
        int offset = src.getInt();
        int size = src.getInt();
        int flags = src.getInt();
        byte[] payload = new byte[payloadLength];
        src.get(payload);
        return new ConfigSpace(offset, size, flags, payload);
    }

    public void encode(ByteBuffer dst) {
        dst.putInt(offset).putInt(size).putInt(flags).put(payload);
    }

    public int encodedSize() {
        return HEADER_SIZE + payload.length;
    }
}
