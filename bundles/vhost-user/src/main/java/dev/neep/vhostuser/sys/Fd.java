package dev.neep.vhostuser.sys;

import java.io.IOException;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * One owned file descriptor. Closed exactly once, and never while a call that
 * {@linkplain #acquire() acquired} it is still running: a descriptor number is reused by
 * the kernel as soon as it is closed, and a late write to a reused number would land in
 * whatever file got it. {@link #close()} from another thread therefore only marks the
 * descriptor; the last {@link #release()} closes it. {@link #shutdown()} wakes a thread
 * blocked on a socket so that it releases.
 */
public final class Fd implements AutoCloseable {

    /** A call made with the raw descriptor number while it is held open. */
    @FunctionalInterface
    @ConsumerType
    public interface Call<T> {
        T apply(int fd) throws IOException;
    }

    private final int number;
    private final String what;
    private int users;
    private boolean closing;
    private boolean closed;

    private Fd(int number, String what) {
        this.number = number;
        this.what = what;
    }

    /** Takes ownership of {@code number}, described as {@code what} in messages. */
    public static Fd adopt(int number, String what) {
        if (number < 0) {
            throw new IllegalArgumentException("not a descriptor: " + number + " (" + what + ")");
        }
        return new Fd(number, what);
    }

    public String what() {
        return what;
    }

    /** The descriptor number, held open until {@link #release()}. */
    public synchronized int acquire() throws IOException {
        if (closing) {
            throw new IOException(what + " is closed");
        }
        users++;
        return number;
    }

    public void release() {
        boolean closeNow;
        synchronized (this) {
            users--;
            closeNow = closing && users == 0 && !closed;
            if (closeNow) {
                closed = true;
            }
        }
        if (closeNow) {
            Posix.closeQuietly(number, what);
        }
    }

    /** Runs {@code call} with the descriptor held open. */
    public <T> T use(Call<T> call) throws IOException {
        int fd = acquire();
        try {
            return call.apply(fd);
        } finally {
            release();
        }
    }

    public synchronized boolean isOpen() {
        return !closing;
    }

    /** For a socket: ends both directions, so that a thread blocked reading it sees end of file. */
    public synchronized void shutdown() {
        if (!closed) {
            Posix.shutdownQuietly(number);
        }
    }

    @Override
    public void close() {
        boolean closeNow;
        synchronized (this) {
            if (closing) {
                return;
            }
            closing = true;
            closeNow = users == 0;
            if (closeNow) {
                closed = true;
            }
        }
        if (closeNow) {
            Posix.closeQuietly(number, what);
        }
    }

    @Override
    public String toString() {
        return what + "(fd " + number + ")";
    }
}
