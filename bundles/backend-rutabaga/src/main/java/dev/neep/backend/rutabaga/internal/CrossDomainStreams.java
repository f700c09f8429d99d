package dev.neep.backend.rutabaga.internal;

import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_PARAMETER;

import dev.neep.gpu.api.GpuBackendException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Checks a cross-domain context's command stream before librutabaga_gfx_ffi 0.1.2 sees it, for
 * what the library does not survive or cannot answer:
 * <ul>
 *   <li>it finds the next command {@code cmd_size} bytes on and never checks that this moves:
 *       a {@code cmd_size} of 0 makes it run the same command for ever, with the instance's
 *       owner thread (so the whole device) stuck in it;</li>
 *   <li>it writes its answers only into the first iovec of a ring, and when the channel ring
 *       is too small for a RECEIVE, the context's worker thread stops for good, so every later
 *       POLL of that context waits for ever.</li>
 * </ul>
 * Each command is {@code u8 cmd, u8 ring_idx, u16 cmd_size, u32 pad} and then its fields
 * (rutabaga's {@code cross_domain_protocol}); the sizes below are its structs'.
 */
final class CrossDomainStreams {

    static final int CMD_INIT = 1;
    static final int CMD_GET_IMAGE_REQUIREMENTS = 2;
    static final int CMD_POLL = 3;
    static final int CMD_SEND = 4;
    static final int CMD_WRITE = 7;

    static final int HEADER = 8;
    /** INIT before the channel ring was added (accepted by the library too), and now. */
    static final int INIT_LEGACY = 16;
    static final int INIT = 20;
    static final int GET_IMAGE_REQUIREMENTS = 24;
    /** SEND: header, two counts, three arrays of four identifiers; the opaque data follows. */
    static final int SEND = 64;
    /** WRITE: header, identifier, hang_up, opaque_data_size, pad; the data follows. */
    static final int WRITE = 24;
    /** The query ring gets one 64-byte image requirements answer. */
    static final int QUERY_RING_MIN = 64;
    /** The channel ring gets a RECEIVE of up to 4096 bytes (header and data). */
    static final int CHANNEL_RING_MIN = 4096;

    private CrossDomainStreams() {
    }

    /**
     * Throws RESP_ERR_INVALID_PARAMETER, naming the command, for a stream the library must not
     * get; {@code backingOf} gives a resource's guest backing (null for none or no such resource).
     */
    static void check(ByteBuffer stream, IntFunction<List<ByteBuffer>> backingOf) throws GpuBackendException {
        ByteBuffer b = stream.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int at = 0;
        int index = 0;
        while (b.remaining() > 0) {
            if (b.remaining() < HEADER) {
                throw refuse(index, at, "has " + b.remaining() + " bytes, less than its 8-byte header");
            }
            int start = b.position();
            int cmd = b.get(start) & 0xff;
            int size = b.getShort(start + 2) & 0xffff;
            if (size < HEADER || size > b.remaining()) {
                throw refuse(index, at, "(cmd " + cmd + ") says cmd_size " + size + ", but " + b.remaining()
                        + " bytes are left and a command has at least " + HEADER);
            }
            ByteBuffer command = b.slice(start, size).order(ByteOrder.LITTLE_ENDIAN);
            switch (cmd) {
                case CMD_INIT -> init(command, index, at, backingOf);
                case CMD_GET_IMAGE_REQUIREMENTS -> atLeast(command, GET_IMAGE_REQUIREMENTS, "GET_IMAGE_REQUIREMENTS",
                        index, at);
                case CMD_POLL -> {
                }
                case CMD_SEND -> withData(command, SEND, 12, "SEND", index, at);
                case CMD_WRITE -> withData(command, WRITE, 16, "WRITE", index, at);
                default -> throw refuse(index, at, "has cmd " + cmd + ", which is no cross-domain command a guest"
                        + " sends (1 INIT, 2 GET_IMAGE_REQUIREMENTS, 3 POLL, 4 SEND, 7 WRITE)");
            }
            b.position(start + size);
            at += size;
            index++;
        }
    }

    private static void init(ByteBuffer c, int index, int at, IntFunction<List<ByteBuffer>> backingOf)
            throws GpuBackendException {
        atLeast(c, INIT_LEGACY, "INIT", index, at);
        boolean legacy = c.limit() < INIT;
        int queryRing = c.getInt(8);
        int channelRing = legacy ? queryRing : c.getInt(12);
        int channelType = c.getInt(legacy ? 12 : 16);
        ring(backingOf, queryRing, "query", QUERY_RING_MIN, index, at);
        if (channelType != 0) {
            ring(backingOf, channelRing, "channel", CHANNEL_RING_MIN, index, at);
        }
    }

    private static void ring(IntFunction<List<ByteBuffer>> backingOf, int resourceId, String which, int min, int index,
            int at) throws GpuBackendException {
        List<ByteBuffer> backing = backingOf.apply(resourceId);
        if (backing == null || backing.isEmpty()) {
            throw refuse(index, at, "(INIT) names resource " + resourceId + " as its " + which + " ring, which is no"
                    + " resource with guest memory (a ring is a guest blob attached to the context)");
        }
        int first = backing.get(0).remaining();
        if (first < min) {
            throw refuse(index, at, "(INIT) names resource " + resourceId + " as its " + which + " ring, whose first"
                    + " run of guest memory has " + first + " bytes; rutabaga writes its answers there and needs "
                    + min);
        }
    }

    private static void atLeast(ByteBuffer c, int size, String name, int index, int at) throws GpuBackendException {
        if (c.limit() < size) {
            throw refuse(index, at, "(" + name + ") has cmd_size " + c.limit() + ", less than its " + size + " bytes");
        }
    }

    /** A command whose opaque data ({@code u32} size at {@code sizeField}) follows its fixed part. */
    private static void withData(ByteBuffer c, int fixed, int sizeField, String name, int index, int at)
            throws GpuBackendException {
        atLeast(c, fixed, name, index, at);
        long data = Integer.toUnsignedLong(c.getInt(sizeField));
        if (fixed + data > c.limit()) {
            throw refuse(index, at, "(" + name + ") carries " + data + " bytes of data, more than the "
                    + (c.limit() - fixed) + " its cmd_size leaves after its " + fixed + " fixed bytes");
        }
    }

    private static GpuBackendException refuse(int index, int at, String why) {
        return new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "cross-domain command " + index + " (byte " + at
                + ") " + why);
    }
}
