package dev.neep.vhostuser.internal;

import java.io.IOException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.neep.vhostuser.sys.Fd;
import dev.neep.vhostuser.sys.Posix;

/**
 * What the front end told this back-end about one ring beyond the queue configuration the
 * {@code VirtioTransportCore} keeps (size, addresses, base, enabled): whether size and
 * addresses were given, and the ring's descriptors. Everything but the call descriptor
 * belongs to the session's control thread (under the session lock); the call descriptor is
 * also used by the device's threads, through {@link #signal()}.
 */
final class Vring {

    private static final Logger LOG = LoggerFactory.getLogger(Vring.class);

    final int index;
    /** SET_VRING_NUM was received (since the last RESET_DEVICE). */
    boolean sized;
    /** SET_VRING_ADDR was received. */
    boolean addressed;
    /** SET_VRING_KICK: the ring is started while it has a kick descriptor. */
    Fd kick;
    /** The epoll tag of {@link #kick}; a ready event with another tag is stale. */
    long kickTag;
    Fd err;

    private final Object callLock = new Object();
    private Fd call;
    private boolean callFailureLogged;

    Vring(int index) {
        this.index = index;
    }

    boolean started() {
        return kick != null;
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
