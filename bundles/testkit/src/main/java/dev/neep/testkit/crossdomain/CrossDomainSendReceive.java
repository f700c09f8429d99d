package dev.neep.testkit.crossdomain;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code CROSS_DOMAIN_CMD_SEND} (guest to host, a SUBMIT_3D payload) and
 * {@code CROSS_DOMAIN_CMD_RECEIVE} (host to guest, written to the channel ring): the header,
 * {@code u32 num_identifiers, u32 opaque_data_size}, then {@code identifiers[4]},
 * {@code identifier_types[4]} and {@code identifier_sizes[4]} (u32 each), 64 bytes in all, then
 * the opaque data: the bytes of the channel (Wayland wire messages). Identifiers stand for the
 * file descriptors travelling with the bytes: a virtio-gpu resource id for
 * {@link #ID_TYPE_VIRTGPU_BLOB}, which the host turns into the blob's exported fd.
 */
public record CrossDomainSendReceive(int cmd, List<Identifier> identifiers, byte[] data) implements CrossDomainCommand {

    public static final int SIZE = 64;
    public static final int MAX_IDENTIFIERS = 4;
    public static final int ID_TYPE_VIRTGPU_BLOB = 1;

    /** One descriptor: its type, its id (a resource id for a blob) and, on RECEIVE, its size. */
    public record Identifier(int type, int id, int size) {
    }

    public CrossDomainSendReceive {
        identifiers = List.copyOf(identifiers);
        data = data.clone();
        if (identifiers.size() > MAX_IDENTIFIERS) {
            throw new IllegalArgumentException(identifiers.size() + " identifiers, at most " + MAX_IDENTIFIERS);
        }
    }

    /** A SEND of {@code data} with blob resources {@code blobResourceIds} as its descriptors. */
    public static CrossDomainSendReceive send(byte[] data, int... blobResourceIds) {
        List<Identifier> ids = new ArrayList<>();
        for (int id : blobResourceIds) {
            ids.add(new Identifier(ID_TYPE_VIRTGPU_BLOB, id, 0));
        }
        return new CrossDomainSendReceive(CMD_SEND, ids, data);
    }

    /** The command padded to 4 bytes, {@code cmd_size} covering the padding. */
    @Override
    public ByteBuffer encode() {
        int size = (SIZE + data.length + 3) & ~3;
        ByteBuffer b = CrossDomainCommand.withHeader(cmd, size).putInt(identifiers.size()).putInt(data.length);
        for (int field = 0; field < 3; field++) {
            for (int i = 0; i < MAX_IDENTIFIERS; i++) {
                Identifier id = i < identifiers.size() ? identifiers.get(i) : null;
                b.putInt(id == null ? 0 : field == 0 ? id.id() : field == 1 ? id.type() : id.size());
            }
        }
        return b.put(data).position(size).flip();
    }

    /**
     * Reads a command from the start of a ring.
     *
     * @throws IllegalArgumentException when the ring holds no such command or claims more data than it has
     */
    public static CrossDomainSendReceive decode(ByteBuffer source) {
        ByteBuffer b = source.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < SIZE) {
            throw new IllegalArgumentException("ring of " + b.remaining() + " bytes is shorter than a " + SIZE
                    + "-byte command");
        }
        int cmd = b.get() & 0xff;
        b.position(b.position() + 7);
        int count = b.getInt();
        int dataSize = b.getInt();
        if (count < 0 || count > MAX_IDENTIFIERS || dataSize < 0 || dataSize > b.remaining() - 48) {
            throw new IllegalArgumentException("command " + cmd + " claims " + Integer.toUnsignedString(count)
                    + " identifiers and " + Integer.toUnsignedString(dataSize) + " bytes of data");
        }
        int[][] fields = new int[3][MAX_IDENTIFIERS];
        for (int[] field : fields) {
            for (int i = 0; i < MAX_IDENTIFIERS; i++) {
                field[i] = b.getInt();
            }
        }
        List<Identifier> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(new Identifier(fields[1][i], fields[0][i], fields[2][i]));
        }
        byte[] data = new byte[dataSize];
        b.get(data);
        return new CrossDomainSendReceive(cmd, ids, data);
    }
}
