package dev.neep.vhostuser.sys;

import java.io.IOException;

/** The native gateway could not be loaded on this host; the message says why. */
public final class NativeUnavailableException extends IOException {
    private static final long serialVersionUID = 1L;

    NativeUnavailableException(String reason) {
        super("vhost-user native access not available: " + reason);
    }
}
