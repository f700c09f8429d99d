package dev.neep.vhostuser.protocol;

import java.nio.ByteBuffer;

/**
 * The 12-byte header of every vhost-user message, and of every vhost-user-gpu message on
 * the display channel: {@code request} u32, {@code flags} u32, {@code size} u32 (payload
 * bytes that follow). Native byte order, which is little-endian on the only platform
 * this transport runs on.
 */
public record MessageHeader(int request, int flags, int size) {
    public static final int SIZE = 12;

    /** vhost-user flags: protocol version in the low two bits, currently 1. */
    public static final int VERSION_MASK = 0x3;
    public static final int VERSION = 0x1;
    /** Set on every reply (both protocols). */
    public static final int REPLY = 0x4;
    /** The front end asks for an acknowledgement (REPLY_ACK). */
    public static final int NEED_REPLY = 0x8;

    /** Reads a header at the buffer's position (little-endian buffer), advancing it. */
    public static MessageHeader decode(ByteBuffer src) {
        return new MessageHeader(src.getInt(), src.getInt(), src.getInt());
    }

    /** Writes the header at the buffer's position (little-endian buffer), advancing it. */
    public void encode(ByteBuffer dst) {
        dst.putInt(request).putInt(flags).putInt(size);
    }

    public boolean needsReply() {
        return (flags & NEED_REPLY) != 0;
    }
}
