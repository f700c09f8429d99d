package dev.neep.vhostuser.sys;

import java.io.IOException;

/** A failed system call: names the call and carries {@code errno}. */
public final class NativeException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    NativeException(String call, int errno, String detail) {
        super(call + ": " + detail);
        this.errno = errno;
    }

    /** The {@code errno} of the call, 0 when the failure was not reported through errno. */
    public int errno() {
        return errno;
    }
}
