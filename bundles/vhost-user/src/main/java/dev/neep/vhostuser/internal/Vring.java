package dev.neep.vhostuser.internal;

import java.io.IOException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.neep.vhostuser.sys.Fd;
import dev.neep.vhostuser.sys.Posix;

/**
 * What the front end told this back-end about one ring beyond the queue configuration the
 * {@code VirtioTransportCore} keeps (size, addresses, base, enabled): whether size and
 * addresses were given, and the ring's descriptors. Everything but the kick and call
 * descriptors and {@link #notifiable} belongs to the session's control thread (under the
 * session lock). The call descriptor is also used by the device's threads, through
 * {@link #signal()}; the kick descriptor by whichever thread waits for kicks, through
 * {@link #kickFor}: each has a lock of its own, never held while waiting for anything.
 */
final class Vring {

    private static final Logger LOG = LoggerFactory.getLogger(Vring.class);

    final int index;
    /** SET_VRING_NUM was received (since the last RESET_DEVICE). */
    boolean sized;
    /** SET_VRING_ADDR was received. */
    boolean addressed;
    Fd err;
    /**
     * Whether a kick goes to the device: it is active and the ring enabled. Set by the control
     * thread after each message, read by the thread that waits for kicks.
     */
    volatile boolean notifiable;
    /**
     * A kick came while the ring was not notifiable: it is passed on once the ring becomes
     * notifiable (its message may still be in progress, the activation's own notification
     * already given).
     */
    volatile boolean missedKick;

    private final Object kickLock = new Object();
    /** SET_VRING_KICK: the ring is started while it has a kick descriptor. */
    private Fd kick;
    /** The epoll tag of {@link #kick}; a ready event with another tag is stale. */
    private long kickTag;

    private final Object callLock = new Object();
    private Fd call;
    private boolean callFailureLogged;

    Vring(int index) {
        this.index = index;
    }

    boolean started() {
        synchronized (kickLock) {
            return kick != null;
        }
    }

    /** SET_VRING_KICK: {@code fd}, waited on with {@code tag}; returns the one it replaces, if any. */
    Fd setKick(Fd fd, long tag) {
        synchronized (kickLock) {
            Fd old = kick;
            kick = fd;
            kickTag = tag;
            return old;
        }
    }

    /** The kick descriptor waited on with {@code tag}, or null when it was replaced or the ring stopped since. */
    Fd kickFor(long tag) {
        synchronized (kickLock) {
            return kick != null && kickTag == tag ? kick : null;
        }
    }

    /** Replaces the call descriptor ({@code null}: the front end polls), closing the old one. */
    void setCall(Fd fd) {
        Fd old;
        synchronized (callLock) {
            old = call;
            call = fd;
            callFailureLogged = false;
        }
        if (old != null) {
            old.close();
        }
    }

    /** Interrupts the driver for this ring; safe from any thread. */
    void signal() {
        synchronized (callLock) {
            if (call == null) {
                return;
            }
            try {
                Posix.signal(call);
            } catch (IOException e) {
                if (!callFailureLogged) {
                    callFailureLogged = true;
                    LOG.error("vring {}: cannot signal the call descriptor: {}", index, e.getMessage());
                }
            }
        }
    }

    /** Closes every descriptor the ring holds except the kick descriptor, which the kick loop owns. */
    void closeCallAndErr() {
        setCall(null);
        if (err != null) {
            err.close();
            err = null;
        }
    }
}
