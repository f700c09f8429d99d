package dev.neep.vhostuser;

import java.io.IOException;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * What one device type adds to the generic vhost-user back-end, as libvhost-user's
 * {@code process_msg} hook does for QEMU's contrib back-ends: front-end requests of its own
 * (vhost-user-gpu's GPU_SET_SOCKET) and use of the back-end request channel. The server
 * asks it for a {@link DeviceSession} for each front end that connects.
 */
@ConsumerType
public interface DeviceExtension {

    /** No device-specific requests: every request outside the generic protocol drops the front end. */
    DeviceExtension NONE = backend -> message -> false;

    /**
     * A front end connected. The session returned serves that front end's device-specific
     * requests until it leaves; {@code backend} reaches the front end through its back-end
     * request channel, once it has given one.
     *
     * @throws IOException when the session cannot be set up: the front end is not served
     */
    DeviceSession connected(BackendChannel backend) throws IOException;
}
