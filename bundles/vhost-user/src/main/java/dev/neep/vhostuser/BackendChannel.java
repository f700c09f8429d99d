package dev.neep.vhostuser;

import java.io.IOException;
import java.nio.ByteBuffer;

import org.osgi.annotation.versioning.ProviderType;

import dev.neep.vhostuser.sys.Fd;

/**
 * The back-end request channel of one front end (the socket of SET_BACKEND_REQ_FD): the
 * way the back-end starts a conversation (BACKEND_CONFIG_CHANGE_MSG, and for devices with
 * shared memory SHMEM_MAP and SHMEM_UNMAP). Safe from any thread.
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
