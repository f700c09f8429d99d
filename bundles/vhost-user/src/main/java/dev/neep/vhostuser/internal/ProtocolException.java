package dev.neep.vhostuser.internal;

/**
 * Front-end input this back-end will not act on: a malformed message, a request it did
 * not offer, a region it cannot map, a ring outside guest memory. The session logs the
 * message once and drops the connection; the server goes on listening.
 */
final class ProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    ProtocolException(String message) {
        super(message);
    }

    ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
