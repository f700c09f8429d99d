package dev.neep.testkit.crossdomain;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The commands a guest's Wayland proxy submits in a cross-domain context (SUBMIT_3D payloads),
 * as rutabaga's {@code cross_domain_protocol} lays them out. Every command starts with the same
 * 8-byte header: {@code u8 cmd, u8 ring_idx, u16 cmd_size, u32 pad}; {@code cmd_size} covers the
 * whole command and is how the host finds the next one in a stream.
 */
public sealed interface CrossDomainCommand permits CrossDomainCommand.Init, CrossDomainCommand.GetImageRequirements,
        CrossDomainCommand.Poll, CrossDomainSendReceive {

    int CMD_INIT = 1;
    int CMD_GET_IMAGE_REQUIREMENTS = 2;
    int CMD_POLL = 3;
    int CMD_SEND = 4;
    int CMD_RECEIVE = 5;

    int HEADER_SIZE = 8;

    /** The rings of a cross-domain context: fences on 0 signal at once, on 1 when the channel has data. */
    int QUERY_RING = 0;
    int CHANNEL_RING = 1;

    /** {@code channel_type} of a Wayland channel (rutabaga's RUTABAGA_CHANNEL_TYPE_WAYLAND). */
    int CHANNEL_TYPE_WAYLAND = 1;

    /** The command's bytes, little-endian, ready for SUBMIT_3D. */
    ByteBuffer encode();

    /** A little-endian buffer of {@code size} bytes with the header written. */
    static ByteBuffer withHeader(int cmd, int size) {
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) cmd).put((byte) 0).putShort((short) size).putInt(0);
        return b;
    }

    /**
     * {@code CROSS_DOMAIN_CMD_INIT} (20 bytes): the query ring and channel ring resource ids (guest
     * blobs attached to the context) and the channel to connect, 0 for none.
     */
    record Init(int queryRingId, int channelRingId, int channelType) implements CrossDomainCommand {
        public static final int SIZE = 20;

        @Override
        public ByteBuffer encode() {
            return withHeader(CMD_INIT, SIZE).putInt(queryRingId).putInt(channelRingId).putInt(channelType).flip();
        }
    }

    /**
     * {@code CROSS_DOMAIN_CMD_GET_IMAGE_REQUIREMENTS} (24 bytes); the host answers with
     * {@link ImageRequirements} in the query ring.
     *
     * @param drmFormat a DRM fourcc, e.g. {@link #DRM_FORMAT_XRGB8888}
     * @param flags     rutabaga gralloc usage flags, e.g. {@link #USE_LINEAR} | {@link #USE_SW_WRITE_OFTEN}
     */
    record GetImageRequirements(int width, int height, int drmFormat, int flags) implements CrossDomainCommand {
        public static final int SIZE = 24;
        /** 'XR24': B, G, R, X in memory, wl_shm's format 1. */
        public static final int DRM_FORMAT_XRGB8888 = 0x34325258;
        public static final int USE_LINEAR = 1 << 4;
        public static final int USE_SW_WRITE_OFTEN = 1 << 11;

        @Override
        public ByteBuffer encode() {
            return withHeader(CMD_GET_IMAGE_REQUIREMENTS, SIZE).putInt(width).putInt(height).putInt(drmFormat)
                    .putInt(flags).flip();
        }
    }

    /** {@code CROSS_DOMAIN_CMD_POLL}: header only; submitted with a fence on {@link #CHANNEL_RING}. */
    record Poll() implements CrossDomainCommand {
        @Override
        public ByteBuffer encode() {
            return withHeader(CMD_POLL, HEADER_SIZE).flip();
        }
    }
}
