package dev.neep.vhostuser;

import java.io.IOException;

import org.osgi.annotation.versioning.ConsumerType;

import dev.neep.vhostuser.protocol.ProtocolException;

/**
 * The device-specific side of one front end's connection (see {@link DeviceExtension}).
 * Called on the connection's control thread, one message at a time, never with a lock of
 * the transport held.
 */
@ConsumerType
public interface DeviceSession extends AutoCloseable {

    /**
     * Offered every front-end message before the generic protocol sees it. A session that
     * knows the request checks it fully ({@link FrontEndMessage#expect}), acts, and returns
     * true; the back-end then acknowledges it if the front end asked for that (REPLY_ACK).
     * Any other request: false, untouched.
     *
     * @throws ProtocolException the message is malformed: the front end is dropped
     * @throws IOException the host could not act on it: the front end is dropped
     */
    boolean handle(FrontEndMessage message) throws ProtocolException, IOException;

    /** The front end is gone: release everything the session holds. Called once, before the device is reset. */
    @Override
    default void close() {
    }
}
