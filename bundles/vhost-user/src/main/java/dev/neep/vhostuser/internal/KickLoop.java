package dev.neep.vhostuser.internal;

import java.io.IOException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.neep.vhostuser.sys.Epoll;
import dev.neep.vhostuser.sys.Fd;
import dev.neep.vhostuser.sys.Posix;

/**
 * The thread of one connection that waits for kicks: it blocks in {@code epoll_wait} on
 * every ring's kick eventfd (it never polls in a loop) and hands each ready one to the
 * session. Each descriptor is registered with a tag holding the ring index and a serial
 * number, so that an event arriving late for a kick descriptor that has since been replaced
 * is recognised as stale, and never read from a descriptor number that was reused.
 */
final class KickLoop implements AutoCloseable {

    /** What the loop calls on its thread. */
    interface Target {

        /** The kick descriptor registered with {@code tag} is readable. */
        void kicked(long tag) throws IOException;

        /** The loop failed and has ended. */
        void failed(IOException e);
    }

    private static final Logger LOG = LoggerFactory.getLogger(KickLoop.class);
    private static final long WAKE_TAG = -1L;

    private final Epoll epoll;
    private final Fd wake;
    private final int capacity;
    private final Target target;
    private final Thread thread;
    private volatile boolean stopping;
    private long serial;

    /**
     * @throws IOException when the epoll instance or its wake-up eventfd cannot be made
     */
    KickLoop(int rings, Target target) throws IOException {
        Epoll ep = null;
        Fd wakeFd = null;
        try {
            ep = new Epoll(rings + 1);
            wakeFd = Posix.eventFd("kick loop wake-up");
            ep.add(wakeFd, WAKE_TAG);
        } catch (IOException e) {
            if (ep != null) {
                ep.close();
            }
            if (wakeFd != null) {
                wakeFd.close();
            }
            throw e;
        }
        this.epoll = ep;
        this.wake = wakeFd;
        this.capacity = rings + 1;
        this.target = target;
        this.thread = new Thread(this::run, "neep-vhost-user-kicks");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /**
     * Waits on {@code kick} for ring {@code ring} (set non-blocking first); returns its tag.
     * Called under the session lock.
     */
    long add(int ring, Fd kick) throws IOException {
        long tag = (++serial << 8) | ring;
        Posix.setNonBlocking(kick);
        epoll.add(kick, tag);
        return tag;
    }

    /** Stops waiting on {@code kick}; the caller closes it. */
    void remove(int ring, Fd kick) {
        try {
            epoll.remove(kick);
        } catch (IOException e) {
            LOG.debug("vring {}: {}", ring, e.getMessage());
        }
    }

    /** The ring index a tag was made for. */
    static int ring(long tag) {
        return (int) (tag & 0xff);
    }

    private void run() {
        long[] tags = new long[capacity];
        try {
            while (true) {
                int n = epoll.await(tags, -1);
                for (int i = 0; i < n; i++) {
                    if (tags[i] == WAKE_TAG) {
                        Posix.drain(wake);
                        if (stopping) {
                            return;
                        }
                        continue;
                    }
                    target.kicked(tags[i]);
                }
            }
        } catch (IOException e) {
            if (!stopping) {
                target.failed(e);
            }
        }
    }

    /** Ends the thread and waits for it; kick descriptors may still be removed after. */
    void stop() {
        stopping = true;
        try {
            Posix.signal(wake);
        } catch (IOException e) {
            LOG.error("cannot wake the kick loop", e);
        }
        if (thread.isAlive() && Thread.currentThread() != thread) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Stops the thread if it runs, and closes the epoll instance and its wake-up eventfd. */
    @Override
    public void close() {
        stop();
        epoll.close();
        wake.close();
    }
}
