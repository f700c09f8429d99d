package dev.neep.vhostuser.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

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
 */
final class BackendRequests implements BackendChannel {

    private static final Logger LOG = LoggerFactory.getLogger(BackendRequests.class);

    private final Object lock = new Object();
    private UnixSocket channel;
    private boolean configChangeFailureLogged;

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

    @Override
    public boolean send(int request, ByteBuffer payload, Fd... fds) throws IOException {
        ByteBuffer msg = ByteBuffer.allocateDirect(MessageHeader.SIZE + payload.remaining())
                .order(ByteOrder.LITTLE_ENDIAN);
        new MessageHeader(request, MessageHeader.VERSION, payload.remaining()).encode(msg);
        msg.put(payload.duplicate()).flip();
        synchronized (lock) {
            if (channel == null) {
                return false;
            }
            channel.send(msg, fds);
            return true;
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

    void close() {
        synchronized (lock) {
            if (channel != null) {
                channel.close();
                channel = null;
            }
        }
    }
}
