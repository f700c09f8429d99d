package dev.neep.vhostuser.internal;

import java.io.IOException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.neep.vhostuser.protocol.ProtocolException;
import dev.neep.vhostuser.protocol.VhostUserRequest;
import dev.neep.vhostuser.protocol.VringAddr;
import dev.neep.vhostuser.protocol.VringState;
import dev.neep.vhostuser.sys.Fd;
import dev.neep.vhostuser.sys.Posix;
import dev.neep.virtio.DeviceStatus;
import dev.neep.virtio.Interrupts;
import dev.neep.virtio.OnceLog;
import dev.neep.virtio.VirtioDevice;
import dev.neep.virtio.VirtioFeatures;
import dev.neep.virtio.VirtioTransportCore;
import dev.neep.virtio.Virtq;
import dev.neep.virtio.Virtqueue;

/**
 * The rings of one connection and the device behind them: what the SET_VRING_* messages
 * and SET_FEATURES set, turned into the {@link VirtioTransportCore}'s terms.
 *
 * <p>A ring is started by SET_VRING_KICK and stopped by GET_VRING_BASE; it is enabled by
 * SET_VRING_ENABLE, or from the start when the front end did not take
 * VHOST_USER_F_PROTOCOL_FEATURES. The front end starts the rings only once its guest driver
 * set DRIVER_OK, so once every ring is started and enabled with its size and addresses known,
 * and guest memory is present, this back-end plays the driver's status sequence into the core
 * (ACKNOWLEDGE, DRIVER, FEATURES_OK, DRIVER_OK), which activates the device. A ring stopped or
 * reconfigured while the device runs, RESET_OWNER, or features that change while it runs
 * {@linkplain VirtioTransportCore#stop stop} the device (each queue keeps where it got to);
 * RESET_DEVICE and the front end leaving reset it completely.
 *
 * <p>Used under the session lock on the control thread, but for {@link #kicked}, which the
 * thread waiting for kicks calls without it (the device's own thread, when the device waits in
 * the session's {@link KickLoop}, and a device reset that waits for that thread runs under the
 * session lock).
 */
final class Vrings {

    private static final Logger LOG = LoggerFactory.getLogger(Vrings.class);

    /** VHOST_USER_F_PROTOCOL_FEATURES: a vhost-user bit among the virtio feature bits, never the device's. */
    static final int F_PROTOCOL_FEATURES = 30;
    /** The device's own feature bits (0 to 23), which any transport carries. */
    static final long DEVICE_FEATURES = (1L << 24) - 1;
    /** Transport features a device may offer through this transport; anything else needs support here. */
    static final long TRANSPORT_FEATURES = VirtioFeatures.bit(VirtioFeatures.VIRTIO_RING_F_INDIRECT_DESC)
            | VirtioFeatures.bit(VirtioFeatures.VIRTIO_RING_F_EVENT_IDX)
            | VirtioFeatures.bit(VirtioFeatures.VIRTIO_F_VERSION_1);
    private static final int DRIVER_READY = DeviceStatus.ACKNOWLEDGE | DeviceStatus.DRIVER | DeviceStatus.FEATURES_OK
            | DeviceStatus.DRIVER_OK;

    private final VirtioTransportCore core;
    private final Vring[] rings;
    private final MemoryTable memory;
    private final SharedMemory sharedMemory;
    private final KickLoop kicks;
    /** SET_FEATURES as taken, VHOST_USER_F_PROTOCOL_FEATURES included. */
    private long ackedFeatures;
    private String activationFailure;

    /**
     * @param configChanged what {@link Interrupts#signalConfigChange} does: a message on the
     *                      back-end channel, from the device's threads
     */
    Vrings(VirtioDevice device, MemoryTable memory, SharedMemory sharedMemory, KickLoop kicks,
            Runnable configChanged) {
        this.memory = memory;
        this.sharedMemory = sharedMemory;
        this.kicks = kicks;
        this.rings = new Vring[device.queueCount()];
        for (int i = 0; i < rings.length; i++) {
            rings[i] = new Vring(i);
        }
        Interrupts interrupts = new Interrupts() {
            @Override
            public void signalQueue(int queueIndex) {
                if (queueIndex >= 0 && queueIndex < rings.length) {
                    rings[queueIndex].signal();
                }
            }

            @Override
            public void signalConfigChange() {
                configChanged.run();
            }
        };
        this.core = new VirtioTransportCore(device, memory.memory(), DEVICE_FEATURES | TRANSPORT_FEATURES, 0,
                new VirtioTransportCore.Transport() {
                    @Override
                    public Interrupts interrupts() {
                        return interrupts;
                    }

                    @Override
                    public void resetting() {
                        // The call descriptors stay: the front end owns them until it replaces them.
                    }

                    @Override
                    public void needsReset(String reason) {
                        activationFailure = reason;
                    }
                }, new OnceLog(LOG, "vhost-user virtio device " + device.deviceId()));
    }

    int count() {
        return rings.length;
    }

    // ---- features ----

    /** GET_FEATURES: the device's bits this transport carries, and VHOST_USER_F_PROTOCOL_FEATURES. */
    long offeredFeatures() {
        return core.offeredFeatures() | VirtioFeatures.bit(F_PROTOCOL_FEATURES);
    }

    /** SET_FEATURES: bits that were not offered are ignored; without bit 30 every ring is enabled. */
    void setFeatures(long features) throws ProtocolException {
        long offered = offeredFeatures();
        long acked = features & offered;
        if (acked != features) {
            LOG.debug("front end acknowledged features 0x{} that were not offered; ignored",
                    Long.toHexString(features & ~offered));
        }
        if (core.active() && acked != ackedFeatures) {
            stop("features changed while running");
        }
        ackedFeatures = acked;
        if (!core.active()) {
            core.setDriverFeatures(acked & ~VirtioFeatures.bit(F_PROTOCOL_FEATURES));
        }
        if (!VirtioFeatures.has(acked, F_PROTOCOL_FEATURES)) {
            for (int i = 0; i < rings.length; i++) {
                core.queue(i).setEnabled(true);
            }
        }
        maybeActivate();
    }

    // ---- SET_VRING_* and GET_VRING_BASE ----

    private Vring ring(int request, int index) throws ProtocolException {
        if (index < 0 || index >= rings.length) {
            throw new ProtocolException(VhostUserRequest.name(request) + ": no vring " + Integer.toUnsignedString(index)
                    + " (the device has " + rings.length + ")");
        }
        return rings[index];
    }

    void setNum(VringState s) throws ProtocolException {
        Vring r = ring(VhostUserRequest.SET_VRING_NUM, s.index());
        int max = Math.min(Virtqueue.MAX_SIZE, core.device().maxQueueSize(r.index));
        if (s.num() <= 0 || s.num() > max || Integer.bitCount(s.num()) != 1) {
            throw new ProtocolException("SET_VRING_NUM: vring " + r.index + " size " + Integer.toUnsignedString(s.num())
                    + " is not a power of two in 1.." + max);
        }
        reconfiguring(r);
        core.queue(r.index).setSize(s.num());
        r.sized = true;
    }

    /** The ring's addresses are the front end's user addresses: translated into guest-physical ones here. */
    void setAddr(VringAddr a) throws ProtocolException {
        Vring r = ring(VhostUserRequest.SET_VRING_ADDR, a.index());
        VirtioTransportCore.QueueConfig q = core.queue(r.index);
        // Without the size yet, only the first element of each part has to lie in guest memory.
        int n = r.sized ? q.size() : 1;
        long desc = memory.toGuestPhysical(a.descriptor(), Virtq.descTableSize(n));
        long avail = memory.toGuestPhysical(a.available(), Virtq.availRingSize(n));
        long used = memory.toGuestPhysical(a.used(), Virtq.usedRingSize(n));
        if (desc < 0 || avail < 0 || used < 0) {
            throw new ProtocolException(String.format("SET_VRING_ADDR: vring %d outside guest memory"
                    + " (desc 0x%x, avail 0x%x, used 0x%x are user addresses of size-%d rings)",
                    r.index, a.descriptor(), a.available(), a.used(), n));
        }
        reconfiguring(r);
        q.setDesc(desc);
        q.setDriver(avail);
        q.setDevice(used);
        r.addressed = true;
    }

    void setBase(VringState s) throws ProtocolException {
        Vring r = ring(VhostUserRequest.SET_VRING_BASE, s.index());
        if (s.num() < 0 || s.num() > 0xffff) {
            throw new ProtocolException("SET_VRING_BASE: vring " + r.index + " base "
                    + Integer.toUnsignedString(s.num()) + " is not a 16-bit index");
        }
        reconfiguring(r);
        core.queue(r.index).setNextAvailIndex(s.num());
    }

    /** A running ring's geometry cannot change under the device: stop it first. */
    private void reconfiguring(Vring r) {
        stop("vring " + r.index + " reconfigured while running");
    }

    /** GET_VRING_BASE: stops the ring (and the device); returns where the ring resumes. */
    int stopRing(VringState s) throws ProtocolException {
        Vring r = ring(VhostUserRequest.GET_VRING_BASE, s.index());
        stop("vring " + r.index + " stopped");
        stopKick(r);
        return core.queue(r.index).nextAvailIndex();
    }

    /** SET_VRING_KICK, SET_VRING_CALL or SET_VRING_ERR with its descriptor ({@code null}: "no descriptor"). */
    void setFd(int request, int index, Fd fd) throws ProtocolException {
        Vring r = ring(request, index);
        switch (request) {
            case VhostUserRequest.SET_VRING_KICK:
                if (fd == null) {
                    throw new ProtocolException("SET_VRING_KICK: vring " + r.index
                            + " without a descriptor (polling) is not supported");
                }
                startKick(r, fd);
                break;
            case VhostUserRequest.SET_VRING_CALL:
                r.setCall(fd);
                break;
            default:
                if (r.err != null) {
                    r.err.close();
                }
                r.err = fd;
                break;
        }
    }

    private void startKick(Vring r, Fd fd) throws ProtocolException {
        stopKick(r);
        long tag;
        try {
            tag = kicks.add(r.index, fd);
        } catch (IOException e) {
            fd.close();
            throw new ProtocolException("SET_VRING_KICK: vring " + r.index + ": the descriptor cannot be waited on: "
                    + e.getMessage(), e);
        }
        r.setKick(fd, tag);
        maybeActivate();
        if (core.active() && core.queue(r.index).enabled()) {
            // A kick may have been written before the descriptor reached us.
            core.queueNotify(r.index);
        }
    }

    private void stopKick(Vring r) {
        Fd old = r.setKick(null, 0);
        if (old != null) {
            kicks.remove(r.index, old);
            old.close();
        }
    }

    void setEnable(VringState s) throws ProtocolException {
        Vring r = ring(VhostUserRequest.SET_VRING_ENABLE, s.index());
        if (s.num() != 0 && s.num() != 1) {
            throw new ProtocolException("SET_VRING_ENABLE: vring " + r.index + " state " + s.num() + " is not 0 or 1");
        }
        VirtioTransportCore.QueueConfig q = core.queue(r.index);
        boolean was = q.enabled();
        q.setEnabled(s.num() == 1);
        if (q.enabled() && !was) {
            maybeActivate();
            if (core.active()) {
                core.queueNotify(r.index);
            }
        }
    }

    /** RESET_OWNER, deprecated; the spec's advice: take it as "disable all rings". */
    void disableAll() {
        stop("RESET_OWNER");
        for (int i = 0; i < rings.length; i++) {
            core.queue(i).setEnabled(false);
        }
    }

    /**
     * A kick descriptor the kick loop found readable; not under the session lock. A kick that
     * comes while the ring is not {@linkplain Vring#notifiable notifiable} waits for
     * {@link #updateNotifiable}: one that came while the message activating the device was still
     * being handled would otherwise be lost.
     */
    void kicked(long tag) throws IOException {
        Vring r = rings[KickLoop.ring(tag)];
        Fd kick = r.kickFor(tag);
        if (kick == null) {
            return; // the descriptor was replaced or the ring stopped after epoll saw it
        }
        Posix.drain(kick);
        if (!r.notifiable) {
            r.missedKick = true;
            if (!r.notifiable) {
                return; // updateNotifiable, which sets notifiable before it reads missedKick, passes it on
            }
        }
        r.missedKick = false;
        core.queueNotify(r.index);
    }

    /**
     * After each change of the device or the rings (under the session lock): which rings' kicks
     * go to the device, and the kicks missed meanwhile passed on. A kick passed on twice only
     * costs the device an empty drain.
     */
    void updateNotifiable() {
        for (Vring r : rings) {
            r.notifiable = core.active() && core.queue(r.index).enabled();
            if (r.notifiable && r.missedKick) {
                r.missedKick = false;
                core.queueNotify(r.index);
            }
        }
    }

    // ---- the device ----

    /** Activates the device once every ring is ready and guest memory is present. */
    void maybeActivate() throws ProtocolException {
        if (core.active() || memory.isEmpty()) {
            return;
        }
        for (Vring r : rings) {
            if (!r.started() || !core.queue(r.index).enabled() || !r.sized || !r.addressed) {
                return;
            }
        }
        memory.deviceStarted();
        activationFailure = null;
        core.setSharedMemory(sharedMemory.forActivation());
        core.writeStatus(DRIVER_READY);
        if (!core.active()) {
            sharedMemory.deviceStopped();
            // The session drops the front end; its clean-up resets the device and releases the memory.
            throw new ProtocolException("the device cannot be started: " + activationFailure);
        }
        LOG.info("device activated: features 0x{}, {} vrings", Long.toHexString(ackedFeatures), rings.length);
        // Kicks that came before the device was active were drained without effect.
        for (Vring r : rings) {
            core.queueNotify(r.index);
        }
    }

    /** Resets a running device; the rings keep their configuration and where each stopped. */
    void stop(String why) {
        if (!core.active()) {
            return;
        }
        sharedMemory.deviceStopping();
        core.stop();
        memory.deviceStopped();
        sharedMemory.deviceStopped();
        LOG.info("device reset: {}", why);
    }

    /**
     * RESET_DEVICE, and the front end leaving: the device is reset whatever its state, and
     * every ring returns to its initial state, its descriptors closed.
     */
    void reset(String why) {
        boolean wasActive = core.active();
        sharedMemory.deviceStopping();
        core.reset();
        memory.deviceStopped();
        sharedMemory.deviceStopped();
        if (wasActive) {
            LOG.info("device reset: {}", why);
        }
        ackedFeatures = 0;
        for (Vring r : rings) {
            stopKick(r);
            r.closeCallAndErr();
            r.sized = false;
            r.addressed = false;
        }
    }
}
