package dev.neep.vhostuser.internal;

import java.io.IOException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.neep.vhostuser.sys.Epoll;
import dev.neep.vhostuser.sys.Fd;
import dev.neep.vhostuser.sys.Posix;
import dev.neep.virtio.NotificationSource;
import dev.neep.virtio.VirtioDevice;

/**
 * Where one connection waits for kicks: an epoll instance on every ring's kick eventfd, in
 * which a thread blocks (it never polls in a loop) and hands each ready descriptor to the
 * session. The thread is the device's own when the device {@linkplain VirtioDevice#waitIn takes}
 * this loop as its {@link NotificationSource}: a kick then wakes the thread that serves it and
 * no other, as in QEMU's C back ends. Otherwise the loop runs a thread of its own.
 *
 * <p>Each descriptor is registered with a tag holding the ring index and a serial number, so
 * that an event arriving late for a kick descriptor that has since been replaced is recognised
 * as stale, and never read from a descriptor number that was reused.
 */
final class KickLoop implements NotificationSource, AutoCloseable {

    /** What the loop calls on the thread that waits in it. */
    interface Target {

        /** The kick descriptor registered with {@code tag} is readable. */
        void kicked(long tag) throws IOException;

        /** Waiting failed; the loop is closed. */
        void failed(IOException e);
    }

    private static final Logger LOG = LoggerFactory.getLogger(KickLoop.class);
    private static final long WAKE_TAG = -1L;

    private final Epoll epoll;
    private final Fd wake;
    private final Target target;
    /** Ready tags of one wait; only the one thread that waits uses it. */
    private final long[] tags;
    private volatile boolean closed;
    /** The loop's own thread, when the device did not take the loop; null otherwise. */
    private Thread thread;
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
        this.tags = new long[rings + 1];
        this.target = target;
    }

    /** Offers the loop to {@code device}; starts a thread of the loop's own when the device does not take it. */
    void start(VirtioDevice device) {
        if (device.waitIn(this)) {
            LOG.debug("the device's thread waits for kicks");
            return;
        }
        thread = new Thread(() -> {
            while (await(-1)) {
                // next kick
            }
        }, "neep-vhost-user-kicks");
        thread.setDaemon(true);
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

    @Override
    public boolean await(long timeoutNanos) {
        if (closed) {
            return false;
        }
        // epoll_wait counts whole milliseconds: rounded up, so a timer is never run early.
        int timeoutMs = timeoutNanos < 0 ? -1 : (int) Math.min(Integer.MAX_VALUE, (timeoutNanos + 999_999) / 1_000_000);
        try {
            // Held open while waiting: closing the eventfd would take it out of the epoll set, and
            // a wake-up written just before a close would never end a wait that began just after.
            wake.acquire();
        } catch (IOException closedMeanwhile) {
            return false;
        }
        try {
            int n = epoll.await(tags, timeoutMs);
            for (int i = 0; i < n; i++) {
                if (tags[i] == WAKE_TAG) {
                    Posix.drain(wake);
                } else if (!closed) {
                    target.kicked(tags[i]);
                }
            }
        } catch (IOException e) {
            if (!closed) {
                closed = true;
                target.failed(e);
            }
        } finally {
            wake.release();
        }
        return !closed;
    }

    @Override
    public void wakeUp() {
        try {
            Posix.signal(wake);
        } catch (IOException e) {
            if (!closed) {
                LOG.error("cannot wake the thread waiting for kicks", e);
            }
        }
    }

    /**
     * Ends waiting: the thread in {@link #await} returns false, and the loop's own thread, if
     * it runs, is waited for. Kick descriptors may still be removed after.
     */
    void stop() {
        closed = true;
        wakeUp();
        Thread t = thread;
        if (t != null && t.isAlive() && Thread.currentThread() != t) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Stops the loop and closes the epoll instance and its wake-up eventfd; a device's thread
     * still inside {@link #await} keeps them open until it returns (see {@link Fd}).
     */
    @Override
    public void close() {
        stop();
        epoll.close();
        wake.close();
    }
}
