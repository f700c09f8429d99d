package dev.neep.testkit.crossdomain;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One Wayland wire message: {@code u32 object id}, then {@code u16 opcode} and {@code u16 size}
 * (in one host-endian word: opcode in the low half), then the arguments, each padded to 4 bytes.
 * File descriptors are not in the bytes: they travel beside them (here, as cross-domain
 * identifiers). Just what a test client needs: uint/int/object/new_id words, strings, arrays.
 */
public record WaylandMessage(int objectId, int opcode, byte[] args) {

    public static final int HEADER_SIZE = 8;

    public WaylandMessage {
        args = args.clone();
    }

    /** A request to {@code objectId} built with {@link Args}. */
    public static WaylandMessage request(int objectId, int opcode, Args args) {
        return new WaylandMessage(objectId, opcode, args.bytes());
    }

    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(HEADER_SIZE + args.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(objectId).putInt((HEADER_SIZE + args.length) << 16 | opcode).put(args);
        return b.array();
    }

    /** The requests in order, as one run of bytes. */
    public static byte[] encodeAll(List<WaylandMessage> messages) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (WaylandMessage m : messages) {
            out.writeBytes(m.encode());
        }
        return out.toByteArray();
    }

    /**
     * The whole messages at the start of {@code stream}, which is left at the first byte not
     * yet a whole message (the channel may cut a message in two).
     *
     * @throws IllegalArgumentException when a message says it is shorter than its header
     */
    public static List<WaylandMessage> decodeAll(ByteBuffer stream) {
        ByteBuffer b = stream.order(ByteOrder.LITTLE_ENDIAN);
        List<WaylandMessage> messages = new ArrayList<>();
        while (b.remaining() >= HEADER_SIZE) {
            int objectId = b.getInt(b.position());
            int word = b.getInt(b.position() + 4);
            int size = word >>> 16;
            if (size < HEADER_SIZE || (size & 3) != 0) {
                throw new IllegalArgumentException("message to object " + objectId + " says it has " + size + " bytes");
            }
            if (b.remaining() < size) {
                break;
            }
            byte[] args = new byte[size - HEADER_SIZE];
            b.position(b.position() + HEADER_SIZE);
            b.get(args);
            messages.add(new WaylandMessage(objectId, word & 0xffff, args));
        }
        return messages;
    }

    /** A reader over the arguments. */
    public Reader reader() {
        return new Reader(ByteBuffer.wrap(args).order(ByteOrder.LITTLE_ENDIAN));
    }

    @Override
    public String toString() {
        return "wl object " + objectId + " opcode " + opcode + " (" + args.length + " bytes of arguments)";
    }

    /** Writes arguments in order. */
    public static final class Args {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        /** uint, int, object, new_id (of a known interface) and fixed are one word each. */
        public Args word(int value) {
            out.write(value);
            out.write(value >>> 8);
            out.write(value >>> 16);
            out.write(value >>> 24);
            return this;
        }

        /** A string: its length with the NUL, the bytes, the NUL, padding. */
        public Args string(String value) {
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            word(bytes.length + 1);
            out.writeBytes(bytes);
            out.write(0);
            pad(bytes.length + 1);
            return this;
        }

        /** wl_registry.bind's untyped new_id: interface, version, id. */
        public Args newId(String iface, int version, int id) {
            return string(iface).word(version).word(id);
        }

        private void pad(int written) {
            for (int i = written; (i & 3) != 0; i++) {
                out.write(0);
            }
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    /** Reads arguments in order. */
    public static final class Reader {
        private final ByteBuffer b;

        Reader(ByteBuffer b) {
            this.b = b;
        }

        public int word() {
            return b.getInt();
        }

        public String string() {
            int length = b.getInt();
            if (length == 0) {
                return null;
            }
            byte[] bytes = new byte[length];
            b.get(bytes);
            b.position(b.position() + ((4 - (length & 3)) & 3));
            return new String(bytes, 0, length - 1, StandardCharsets.UTF_8);
        }

        public byte[] array() {
            byte[] bytes = new byte[b.getInt()];
            b.get(bytes);
            b.position(b.position() + ((4 - (bytes.length & 3)) & 3));
            return bytes;
        }
    }
}
