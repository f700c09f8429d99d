package dev.neep.vhostuser;

import java.nio.ByteBuffer;
import java.util.List;

import dev.neep.vhostuser.protocol.MessageHeader;
import dev.neep.vhostuser.protocol.ProtocolException;
import dev.neep.vhostuser.protocol.VhostUserRequest;
import dev.neep.vhostuser.sys.Fd;

/**
 * One message from the front end as the back-end read it: the header (its version and
 * payload size already checked), the payload, and the descriptors that came with it. A
 * handler checks the payload size and descriptor count with {@link #expect} before it acts,
 * and takes the descriptors it keeps with {@link #takeFd}; the back-end closes the others
 * when the message is done, on every path.
 */
public final class FrontEndMessage {

    private final MessageHeader header;
    private final ByteBuffer payload;
    private final List<Fd> fds;

    /** {@code fds} is the back-end's list: {@link #takeFd} removes from it. */
    public FrontEndMessage(MessageHeader header, ByteBuffer payload, List<Fd> fds) {
        this.header = header;
        this.payload = payload;
        this.fds = fds;
    }

    public MessageHeader header() {
        return header;
    }

    /** The request id. */
    public int request() {
        return header.request();
    }

    /** The payload, little-endian, from its first byte to its last. */
    public ByteBuffer payload() {
        return payload;
    }

    /** How many descriptors came with the message and were not taken yet. */
    public int descriptors() {
        return fds.size();
    }

    /** Descriptor {@code index}, lent: it is closed with the message unless taken. */
    public Fd fd(int index) {
        return fds.get(index);
    }

    /** Takes the first descriptor not yet taken: the caller owns (and closes) it from now on. */
    public Fd takeFd() {
        return fds.remove(0);
    }

    /**
     * Checks that the payload is exactly {@code size} bytes and that exactly
     * {@code descriptors} descriptors came with it.
     *
     * @throws ProtocolException naming the request and what differs
     */
    public void expect(int size, int descriptors) throws ProtocolException {
        if (payload.remaining() != size) {
            throw new ProtocolException(name() + ": payload of " + payload.remaining() + " bytes, expected " + size);
        }
        if (fds.size() != descriptors) {
            throw new ProtocolException(name() + ": " + fds.size() + " descriptors attached, expected " + descriptors);
        }
    }

    /** The request's name for messages: {@code SET_VRING_NUM(8)}. */
    public String name() {
        return VhostUserRequest.name(header.request());
    }
}
