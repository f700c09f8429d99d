package dev.neep.vhostuser.protocol;

/**
 * Front-end input this back-end will not act on: a malformed message, a request it did
 * not offer, a region it cannot map, a ring outside guest memory. The session logs the
 * message once and drops the connection; the server goes on listening.
 */
public final class ProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message);
    }

    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
