package dev.neep.vhostuser.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.neep.vhostuser.BackendChannel;
import dev.neep.vhostuser.protocol.MessageHeader;
import dev.neep.vhostuser.protocol.VhostUserRequest;
import dev.neep.vhostuser.sys.Fd;
import dev.neep.vhostuser.sys.UnixSocket;

/**
 * The back-end request channel of one connection (SET_BACKEND_REQ_FD): what the device's
 * threads and the device extension send to the front end unasked. It has a lock of its own,
 * never the session's, so the device's threads reach it without waiting for the transport.
 *
 * <p>A request that wants an answer ({@link #requestAck}) is sent with NEED_REPLY and waits
 * for the front end's acknowledgement on the same socket, one such request at a time. A
 * front end that answers late, wrongly or not at all loses the channel: a late answer would
 * otherwise be taken for the answer to the next request.
 */
final class BackendRequests implements BackendChannel {

    private static final Logger LOG = LoggerFactory.getLogger(BackendRequests.class);

    /** How long a request waits for its acknowledgement. */
    static final int REPLY_TIMEOUT_MS = 5_000;

    private final Object lock = new Object();
    /** Held for the whole round trip of a request with an answer; taken before {@link #lock}. */
    private final Object roundTrip = new Object();
    private final int replyTimeoutMs;
    private final ByteBuffer rxHeader = ByteBuffer.allocateDirect(MessageHeader.SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer rxPayload = ByteBuffer.allocateDirect(8).order(ByteOrder.LITTLE_ENDIAN);
    private UnixSocket channel;
    private boolean configChangeFailureLogged;

    BackendRequests() {
        this(REPLY_TIMEOUT_MS);
    }

    BackendRequests(int replyTimeoutMs) {
        this.replyTimeoutMs = replyTimeoutMs;
    }

    /** Takes over {@code fd} as the channel, closing the one before. */
    void open(Fd fd) {
        synchronized (lock) {
            if (channel != null) {
                channel.close();
            }
            channel = new UnixSocket(fd, "back-end request channel");
            configChangeFailureLogged = false;
        }
    }

    /** Whether the front end has given a channel (and it has not broken since). */
    boolean isOpen() {
        synchronized (lock) {
            return channel != null;
        }
    }

    @Override
    public boolean send(int request, ByteBuffer payload, Fd... fds) throws IOException {
        return write(request, MessageHeader.VERSION, payload, fds) != null;
    }

    /** Writes one message; the channel it went on, null when there is none. */
    private UnixSocket write(int request, int flags, ByteBuffer payload, Fd... fds) throws IOException {
        ByteBuffer msg = ByteBuffer.allocateDirect(MessageHeader.SIZE + payload.remaining())
                .order(ByteOrder.LITTLE_ENDIAN);
        new MessageHeader(request, flags, payload.remaining()).encode(msg);
        msg.put(payload.duplicate()).flip();
        synchronized (lock) {
            if (channel != null) {
                channel.send(msg, fds);
            }
            return channel;
        }
    }

    /**
     * Sends {@code request} with NEED_REPLY (the front end must have negotiated REPLY_ACK)
     * and waits for the acknowledgement: the front end's u64 status, 0 for done.
     *
     * @throws IOException there is no channel, it broke, or the answer was late or malformed;
     *         the channel is closed then
     */
    long requestAck(int request, ByteBuffer payload, Fd... fds) throws IOException {
        String name = VhostUserRequest.backendName(request);
        synchronized (roundTrip) {
            UnixSocket sent = write(request, MessageHeader.VERSION | MessageHeader.NEED_REPLY, payload, fds);
            if (sent == null) {
                throw new IOException(name + ": the front end has given no back-end request channel");
            }
            try {
                return awaitAck(sent, request, name);
            } catch (IOException e) {
                drop(sent);
                throw e;
            }
        }
    }

    private long awaitAck(UnixSocket sent, int request, String name) throws IOException {
        List<Fd> fds = new ArrayList<>();
        try {
            long deadline = System.nanoTime() + replyTimeoutMs * 1_000_000L;
            rxHeader.clear();
            if (!sent.receiveFully(rxHeader, fds, replyTimeoutMs)) {
                throw new IOException(name + ": the front end closed the back-end request channel");
            }
            MessageHeader h = MessageHeader.decode(rxHeader.flip());
            if (h.request() != request || h.flags() != (MessageHeader.VERSION | MessageHeader.REPLY)
                    || h.size() != 8) {
                throw new IOException(name + ": unexpected answer " + h);
            }
            rxPayload.clear();
            int left = (int) Math.max(0, (deadline - System.nanoTime()) / 1_000_000L);
            if (!sent.receiveFully(rxPayload, fds, left)) {
                throw new IOException(name + ": the front end closed the back-end request channel");
            }
            if (!fds.isEmpty()) {
                throw new IOException(name + ": " + fds.size() + " descriptors came with the answer");
            }
            return rxPayload.getLong(0);
        } finally {
            fds.forEach(Fd::close);
        }
    }

    /** Closes {@code broken} if it is still the channel. */
    private void drop(UnixSocket broken) {
        synchronized (lock) {
            if (channel == broken) {
                channel.shutdown();
                channel.close();
                channel = null;
            }
        }
    }

    /** BACKEND_CONFIG_CHANGE_MSG; a channel that cannot take it is reported once. */
    void configChanged() {
        try {
            send(VhostUserRequest.BACKEND_CONFIG_CHANGE_MSG, ByteBuffer.allocate(0));
        } catch (IOException e) {
            synchronized (lock) {
                if (!configChangeFailureLogged) {
                    configChangeFailureLogged = true;
                    LOG.warn("cannot tell the front end that the config space changed: {}", e.getMessage());
                }
            }
        }
    }

    /** Closes the channel; a request waiting for its answer sees end of file at once. */
    void close() {
        synchronized (lock) {
            if (channel != null) {
                channel.shutdown();
                channel.close();
                channel = null;
            }
        }
    }
}
