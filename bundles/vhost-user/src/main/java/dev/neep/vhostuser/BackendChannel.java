package dev.neep.vhostuser;

import java.io.IOException;
import java.nio.ByteBuffer;

import org.osgi.annotation.versioning.ProviderType;

import dev.neep.vhostuser.sys.Fd;

/**
 * The back-end request channel of one front end (the socket of SET_BACKEND_REQ_FD): the
 * way the back-end tells the front end something unasked, such as
 * BACKEND_CONFIG_CHANGE_MSG. Requests the front end answers (NEED_REPLY) are not supported
 * yet. Safe from any thread.
 */
@ProviderType
public interface BackendChannel {

    /**
     * Sends back-end request {@code request} with {@code payload} (from its position to its
     * limit) and {@code fds}, not waiting for an answer.
     *
     * @return false when the front end has given no channel (it did not negotiate
     *         BACKEND_REQ, or has not sent SET_BACKEND_REQ_FD yet)
     * @throws IOException when the channel is broken
     */
    boolean send(int request, ByteBuffer payload, Fd... fds) throws IOException;
}
