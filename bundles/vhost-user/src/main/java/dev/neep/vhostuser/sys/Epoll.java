package dev.neep.vhostuser.sys;

import java.io.IOException;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;

/**
 * An epoll instance watching descriptors for input, level-triggered, each tagged with a
 * caller-chosen 64-bit value. {@link #add}/{@link #remove} may be called from any thread
 * while another one {@linkplain #await waits}; a wait that was already returning may
 * still report a descriptor removed meanwhile, so callers keep their tags unique.
 */
public final class Epoll implements AutoCloseable {

    private final Fd epfd;
    private final Memory events;
    private final int capacity;
    private final Memory ctlEvent = new Memory(Posix.SIZEOF_EPOLL_EVENT);

    public Epoll(int capacity) throws IOException {
        try {
            epfd = Fd.adopt(Posix.c().epoll_create1(LibC.EPOLL_CLOEXEC), "epoll");
        } catch (LastErrorException e) {
            throw Posix.failure("epoll_create1", e);
        }
        this.capacity = capacity;
        this.events = new Memory((long) Posix.SIZEOF_EPOLL_EVENT * capacity);
    }

    /** Watches {@code fd} for input; {@link #await} reports it as {@code tag}. */
    public synchronized void add(Fd fd, long tag) throws IOException {
        int ep = epfd.acquire();
        try {
            int n = fd.acquire();
            try {
                ctlEvent.setInt(0, LibC.EPOLLIN);
                ctlEvent.setLong(Posix.EPOLL_EVENT_DATA, tag);
                Posix.c().epoll_ctl(ep, LibC.EPOLL_CTL_ADD, n, ctlEvent);
            } catch (LastErrorException e) {
                throw Posix.failure("epoll_ctl ADD " + fd.what(), e);
            } finally {
                fd.release();
            }
        } finally {
            epfd.release();
        }
    }

    /** Stops watching {@code fd}; call before closing it. */
    public synchronized void remove(Fd fd) throws IOException {
        int ep = epfd.acquire();
        try {
            int n = fd.acquire();
            try {
                Posix.c().epoll_ctl(ep, LibC.EPOLL_CTL_DEL, n, ctlEvent);
            } catch (LastErrorException e) {
                throw Posix.failure("epoll_ctl DEL " + fd.what(), e);
            } finally {
                fd.release();
            }
        } finally {
            epfd.release();
        }
    }

    /**
     * Blocks until at least one watched descriptor is readable ({@code timeoutMs} &lt; 0:
     * without limit) and stores the tags of the ready ones in {@code tags}. Returns how
     * many, 0 on timeout. Only one thread may wait.
     */
    public int await(long[] tags, int timeoutMs) throws IOException {
        int ep = epfd.acquire();
        try {
            int max = Math.min(capacity, tags.length);
            while (true) {
                try {
                    int n = HotCalls.epoll_wait(ep, events, max, timeoutMs);
                    for (int i = 0; i < n; i++) {
                        tags[i] = events.getLong((long) i * Posix.SIZEOF_EPOLL_EVENT + Posix.EPOLL_EVENT_DATA);
                    }
                    return n;
                } catch (LastErrorException e) {
                    if (e.getErrorCode() != LibC.EINTR) {
                        throw Posix.failure("epoll_wait", e);
                    }
                }
            }
        } finally {
            epfd.release();
        }
    }

    @Override
    public void close() {
        epfd.close();
    }
}
