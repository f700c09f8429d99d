package dev.neep.vhostuser.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.neep.vhostuser.internal.sys.Epoll;
import dev.neep.vhostuser.internal.sys.Fd;
import dev.neep.vhostuser.internal.sys.NativeException;
import dev.neep.vhostuser.internal.sys.Posix;
import dev.neep.vhostuser.internal.sys.UnixSocket;
import dev.neep.virtio.Interrupts;
import dev.neep.virtio.InvalidQueueException;
import dev.neep.virtio.VirtioDevice;
import dev.neep.virtio.VirtioFeatures;
import dev.neep.virtio.Virtq;
import dev.neep.virtio.Virtqueue;

/**
 * One front end's connection, from accept to disconnect: the vhost-user back-end state
 * machine in front of one {@link VirtioDevice}.
 *
 * <h2>Threads</h2>
 * The control thread (the server's) reads and answers messages. A kick thread waits on
 * the rings' kick eventfds with epoll and hands kicks to {@link VirtioDevice#queueNotify}.
 * Both change ring and device state only under {@link #lock}. The device's own threads
 * reach the transport only through {@link Interrupts} (each ring's call descriptor has a
 * lock of its own) and the display channel, never through {@link #lock}: a device reset
 * that waits for the device's thread can then never wait for the transport.
 *
 * <h2>Rings and the device</h2>
 * A ring is started by SET_VRING_KICK and stopped by GET_VRING_BASE; it is enabled by
 * SET_VRING_ENABLE, or from the start when the front end did not take
 * VHOST_USER_F_PROTOCOL_FEATURES. The device is activated once every ring is started and
 * enabled with its size and addresses known and guest memory is present; it is reset
 * (everything it holds released) when a ring stops or is reconfigured, on RESET_DEVICE or
 * RESET_OWNER, and when the front end goes away.
 */
final class FrontEndSession {

    private static final Logger LOG = LoggerFactory.getLogger(FrontEndSession.class);

    /** Larger than any front-end message this back-end accepts (SET_MEM_TABLE: 264 bytes). */
    static final int MAX_PAYLOAD = 4096;
    /** VHOST_USER_F_PROTOCOL_FEATURES. */
    static final int F_PROTOCOL_FEATURES = 30;
    /** SET_MEM_TABLE carries at most this many regions (VHOST_MEMORY_BASELINE_NREGIONS). */
    static final int MAX_TABLE_REGIONS = 8;
    /** SET_VRING_KICK / CALL / ERR payload: ring index in bits 0-7, "no descriptor" in bit 8. */
    static final long VRING_INDEX_MASK = 0xff;
    static final long VRING_NOFD = 0x100;

    /** Transport features a device may offer through this transport; anything else needs support here. */
    static final long TRANSPORT_FEATURES = VirtioFeatures.bit(VirtioFeatures.VIRTIO_RING_F_INDIRECT_DESC)
            | VirtioFeatures.bit(VirtioFeatures.VIRTIO_RING_F_EVENT_IDX)
            | VirtioFeatures.bit(VirtioFeatures.VIRTIO_F_VERSION_1);
    static final long DEVICE_FEATURES = (1L << 24) - 1;

    private static final long WAKE_TAG = -1L;
    private static final int ECONNRESET = 104;

    private final VirtioDevice device;
    private final UnixSocket socket;
    private final DisplayChannelListener displays;
    private final long offeredFeatures;
    private final Vring[] rings;
    private final MemoryTable memory = new MemoryTable();
    private final Object lock = new Object();
    private final Epoll epoll;
    private final Fd wake;
    private final Thread kickThread;
    private final Interrupts interrupts = new Interrupts() {
        @Override
        public void signalQueue(int queueIndex) {
            if (queueIndex >= 0 && queueIndex < rings.length) {
                rings[queueIndex].signal();
            }
        }

        @Override
        public void signalConfigChange() {
            notifyConfigChange();
        }
    };

    private final ByteBuffer rxHeader = ByteBuffer.allocateDirect(MessageHeader.SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer rxPayload = ByteBuffer.allocateDirect(MAX_PAYLOAD).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer tx = ByteBuffer.allocateDirect(MessageHeader.SIZE + MAX_PAYLOAD)
            .order(ByteOrder.LITTLE_ENDIAN);

    // Under lock.
    private long ackedFeatures;
    private long protocolFeatures;
    private boolean active;
    private long kickSerial;
    private DisplayChannel display;
    private volatile boolean stopping;

    private final Object backendLock = new Object();
    private UnixSocket backendChannel;
    private boolean configChangeFailureLogged;

    /**
     * Takes over the connected socket {@code connection}.
     *
     * @throws IOException when the epoll instance or its wake-up eventfd cannot be made
     *         (the connection is closed then)
     */
    FrontEndSession(VirtioDevice device, Fd connection, DisplayChannelListener displays) throws IOException {
        this.device = device;
        this.socket = new UnixSocket(connection, "front-end connection");
        this.displays = displays;
        this.offeredFeatures = (device.deviceFeatures() & (DEVICE_FEATURES | TRANSPORT_FEATURES))
                | VirtioFeatures.bit(F_PROTOCOL_FEATURES);
        this.rings = new Vring[device.queueCount()];
        for (int i = 0; i < rings.length; i++) {
            rings[i] = new Vring(i);
        }
        Epoll ep = null;
        Fd wakeFd = null;
        try {
            ep = new Epoll(rings.length + 1);
            wakeFd = Posix.eventFd("kick loop wake-up");
            ep.add(wakeFd, WAKE_TAG);
        } catch (IOException e) {
            if (ep != null) {
                ep.close();
            }
            if (wakeFd != null) {
                wakeFd.close();
            }
            socket.close();
            throw e;
        }
        this.epoll = ep;
        this.wake = wakeFd;
        this.kickThread = new Thread(this::kickLoop, "neep-vhost-user-kicks");
        this.kickThread.setDaemon(true);
    }

    /** Serves the front end until it disconnects or sends something unacceptable; then releases everything. */
    void run() {
        kickThread.start();
        try {
            while (serveOne()) {
                // next message
            }
        } finally {
            cleanUp();
        }
    }

    /** Ends the session from another thread: the control thread sees end of file and cleans up. */
    void abort() {
        stopping = true;
        socket.shutdown();
    }

    // ---- messages ----------------------------------------------------------------

    /** Reads and handles one message; false when the session is over. */
    private boolean serveOne() {
        List<Fd> fds = new ArrayList<>();
        MessageHeader header = null;
        try {
            rxHeader.clear();
            if (!socket.receiveFully(rxHeader, fds)) {
                if (!stopping) {
                    LOG.info("front end disconnected");
                }
                return false;
            }
            header = MessageHeader.decode(rxHeader.flip());
            if ((header.flags() & MessageHeader.VERSION_MASK) != MessageHeader.VERSION) {
                throw new ProtocolException(Request.name(header.request()) + ": unsupported protocol version in flags 0x"
                        + Integer.toHexString(header.flags()));
            }
            if (header.size() < 0 || header.size() > MAX_PAYLOAD) {
                throw new ProtocolException(Request.name(header.request()) + ": payload size "
                        + Integer.toUnsignedString(header.size()) + " exceeds " + MAX_PAYLOAD);
            }
            rxPayload.clear().limit(header.size());
            socket.receiveFully(rxPayload, fds);
            rxPayload.flip();
            ByteBuffer reply;
            synchronized (lock) {
                reply = handle(header, rxPayload, fds);
            }
            if (reply != null) {
                sendReply(header.request(), reply);
            } else if (header.needsReply() && ProtocolFeatures.has(protocolFeatures, ProtocolFeatures.REPLY_ACK)) {
                sendReply(header.request(), ack(0));
            }
            return true;
        } catch (ProtocolException e) {
            LOG.warn("dropping the front end: {}", e.getMessage());
            if (header != null && header.needsReply() && !hasOwnReply(header.request())
                    && ProtocolFeatures.has(protocolFeatures, ProtocolFeatures.REPLY_ACK)) {
                try {
                    sendReply(header.request(), ack(1));
                } catch (IOException ignored) {
                    // the connection is being dropped anyway
                }
            }
            return false;
        } catch (NativeException e) {
            if (stopping) {
                return false;
            }
            if (e.errno() == ECONNRESET) {
                // what a front end that exits (or is killed) leaves behind
                LOG.info("front end disconnected: {}", e.getMessage());
            } else {
                LOG.warn("dropping the front end: {}", e.getMessage());
            }
            return false;
        } catch (IOException e) {
            if (!stopping) {
                LOG.warn("dropping the front end: {}", e.getMessage());
            }
            return false;
        } catch (RuntimeException e) {
            LOG.error("dropping the front end after an internal failure on {}",
                    header == null ? "a message" : Request.name(header.request()), e);
            return false;
        } finally {
            fds.forEach(Fd::close);
        }
    }

    private static boolean hasOwnReply(int request) {
        switch (request) {
            case Request.GET_FEATURES:
            case Request.GET_PROTOCOL_FEATURES:
            case Request.GET_QUEUE_NUM:
            case Request.GET_VRING_BASE:
            case Request.GET_CONFIG:
            case Request.GET_MAX_MEM_SLOTS:
                return true;
            default:
                return false;
        }
    }

    /**
     * Handles one request; returns the reply payload of a request that has one, null for
     * the others. {@code fds} are the descriptors that came with it: a handler removes
     * those it keeps, the caller closes the rest.
     */
    private ByteBuffer handle(MessageHeader h, ByteBuffer p, List<Fd> fds) throws ProtocolException, IOException {
        int request = h.request();
        switch (request) {
            case Request.GET_FEATURES:
                expect(h, p, fds, 0, 0);
                return u64(offeredFeatures);
            case Request.SET_FEATURES:
                expect(h, p, fds, 8, 0);
                setFeatures(p.getLong());
                return null;
            case Request.GET_PROTOCOL_FEATURES:
                expect(h, p, fds, 0, 0);
                return u64(ProtocolFeatures.OFFERED);
            case Request.SET_PROTOCOL_FEATURES:
                expect(h, p, fds, 8, 0);
                protocolFeatures = p.getLong() & ProtocolFeatures.OFFERED;
                return null;
            case Request.SET_OWNER:
                expect(h, p, fds, 0, 0);
                return null;
            case Request.RESET_OWNER:
                expect(h, p, fds, 0, 0);
                // Deprecated; the spec's advice: take it as "disable all rings".
                deactivate("RESET_OWNER");
                for (Vring r : rings) {
                    r.enabled = false;
                }
                return null;
            case Request.RESET_DEVICE:
                expect(h, p, fds, 0, 0);
                resetDevice();
                return null;
            case Request.GET_QUEUE_NUM:
                expect(h, p, fds, 0, 0);
                return u64(rings.length);
            case Request.GET_MAX_MEM_SLOTS:
                expect(h, p, fds, 0, 0);
                return u64(MemoryTable.MAX_SLOTS);
            case Request.SET_MEM_TABLE:
                setMemTable(h, p, fds);
                return null;
            case Request.ADD_MEM_REG:
                expect(h, p, fds, MemoryRegionDesc.SINGLE_SIZE, 1);
                memory.add(MemoryRegionDesc.decodeSingle(p), fds.get(0));
                maybeActivate();
                return null;
            case Request.REM_MEM_REG:
                // No descriptor should come with it, but QEMU has sent one: accepted and closed.
                expect(h, p, fds, MemoryRegionDesc.SINGLE_SIZE, fds.isEmpty() ? 0 : 1);
                memory.remove(MemoryRegionDesc.decodeSingle(p));
                return null;
            case Request.SET_VRING_NUM:
                expect(h, p, fds, VringState.SIZE, 0);
                setVringNum(VringState.decode(p));
                return null;
            case Request.SET_VRING_ADDR:
                expect(h, p, fds, VringAddr.SIZE, 0);
                setVringAddr(VringAddr.decode(p));
                return null;
            case Request.SET_VRING_BASE:
                expect(h, p, fds, VringState.SIZE, 0);
                setVringBase(VringState.decode(p));
                return null;
            case Request.GET_VRING_BASE:
                expect(h, p, fds, VringState.SIZE, 0);
                return getVringBase(VringState.decode(p));
            case Request.SET_VRING_KICK:
            case Request.SET_VRING_CALL:
            case Request.SET_VRING_ERR:
                setVringFd(h, p, fds);
                return null;
            case Request.SET_VRING_ENABLE:
                expect(h, p, fds, VringState.SIZE, 0);
                setVringEnable(VringState.decode(p));
                return null;
            case Request.GET_CONFIG:
                return getConfig(h, p, fds);
            case Request.SET_CONFIG:
                setConfig(h, p, fds);
                return null;
            case Request.SET_BACKEND_REQ_FD:
                expect(h, p, fds, 0, 1);
                setBackendChannel(fds.remove(0));
                return null;
            case Request.GPU_SET_SOCKET:
                expect(h, p, fds, 0, 1);
                if (display != null) {
                    display.close();
                }
                display = DisplayChannel.open(fds.remove(0), displays);
                return null;
            case Request.SET_LOG_BASE:
            case Request.SET_LOG_FD:
            case Request.SEND_RARP:
            case Request.NET_SET_MTU:
            case Request.IOTLB_MSG:
            case Request.SET_VRING_ENDIAN:
            case Request.VRING_KICK:
            case Request.SET_STATUS:
            case Request.GET_STATUS:
                throw new ProtocolException(Request.name(request) + " is not supported (its feature was not offered)");
            default:
                throw new ProtocolException("unknown request " + Integer.toUnsignedString(request));
        }
    }

    private static void expect(MessageHeader h, ByteBuffer p, List<Fd> fds, int size, int descriptors)
            throws ProtocolException {
        if (p.remaining() != size) {
            throw new ProtocolException(Request.name(h.request()) + ": payload of " + p.remaining()
                    + " bytes, expected " + size);
        }
        if (fds.size() != descriptors) {
            throw new ProtocolException(Request.name(h.request()) + ": " + fds.size()
                    + " descriptors attached, expected " + descriptors);
        }
    }

    private Vring ring(int request, int index) throws ProtocolException {
        if (index < 0 || index >= rings.length) {
            throw new ProtocolException(Request.name(request) + ": no vring " + Integer.toUnsignedString(index)
                    + " (the device has " + rings.length + ")");
        }
        return rings[index];
    }

    private void setFeatures(long features) throws ProtocolException {
        long acked = features & offeredFeatures;
        if (acked != features) {
            LOG.debug("front end acknowledged features 0x{} that were not offered; ignored",
                    Long.toHexString(features & ~offeredFeatures));
        }
        if (active && acked != ackedFeatures) {
            deactivate("features changed while running");
        }
        ackedFeatures = acked;
        if (!VirtioFeatures.has(acked, F_PROTOCOL_FEATURES)) {
            for (Vring r : rings) {
                r.enabled = true;
            }
        }
        maybeActivate();
    }

    private void setMemTable(MessageHeader h, ByteBuffer p, List<Fd> fds) throws ProtocolException {
        if (p.remaining() < 8) {
            throw new ProtocolException(Request.name(h.request()) + ": payload of " + p.remaining() + " bytes");
        }
        int count = p.getInt();
        p.getInt();
        if (count < 0 || count > MAX_TABLE_REGIONS) {
            throw new ProtocolException(Request.name(h.request()) + ": " + Integer.toUnsignedString(count)
                    + " regions, at most " + MAX_TABLE_REGIONS);
        }
        p.rewind();
        expect(h, p, fds, 8 + count * MemoryRegionDesc.SIZE, count);
        p.position(8);
        memory.removeAll();
        for (int i = 0; i < count; i++) {
            memory.add(MemoryRegionDesc.decode(p), fds.get(i));
        }
        maybeActivate();
    }

    private void setVringNum(VringState s) throws ProtocolException {
        Vring r = ring(Request.SET_VRING_NUM, s.index());
        int max = Math.min(Virtqueue.MAX_SIZE, device.maxQueueSize(r.index));
        if (s.num() <= 0 || s.num() > max || Integer.bitCount(s.num()) != 1) {
            throw new ProtocolException("SET_VRING_NUM: vring " + r.index + " size " + Integer.toUnsignedString(s.num())
                    + " is not a power of two in 1.." + max);
        }
        reconfiguring(r);
        r.num = s.num();
    }

    private void setVringAddr(VringAddr a) throws ProtocolException {
        Vring r = ring(Request.SET_VRING_ADDR, a.index());
        // Without the size yet, only the first element of each part has to lie in guest memory.
        int n = r.num == 0 ? 1 : r.num;
        long desc = memory.toGuestPhysical(a.descriptor(), Virtq.descTableSize(n));
        long avail = memory.toGuestPhysical(a.available(), Virtq.availRingSize(n));
        long used = memory.toGuestPhysical(a.used(), Virtq.usedRingSize(n));
        if (desc < 0 || avail < 0 || used < 0) {
            throw new ProtocolException(String.format("SET_VRING_ADDR: vring %d outside guest memory"
                    + " (desc 0x%x, avail 0x%x, used 0x%x are user addresses of size-%d rings)",
                    r.index, a.descriptor(), a.available(), a.used(), n));
        }
        reconfiguring(r);
        r.descGpa = desc;
        r.availGpa = avail;
        r.usedGpa = used;
        r.addressed = true;
    }

    private void setVringBase(VringState s) throws ProtocolException {
        Vring r = ring(Request.SET_VRING_BASE, s.index());
        if (s.num() < 0 || s.num() > 0xffff) {
            throw new ProtocolException("SET_VRING_BASE: vring " + r.index + " base "
                    + Integer.toUnsignedString(s.num()) + " is not a 16-bit index");
        }
        reconfiguring(r);
        r.base = s.num();
    }

    /** A running ring's geometry cannot change under the device: reset it first. */
    private void reconfiguring(Vring r) {
        if (active) {
            deactivate("vring " + r.index + " reconfigured while running");
        }
    }

    private ByteBuffer getVringBase(VringState s) throws ProtocolException {
        Vring r = ring(Request.GET_VRING_BASE, s.index());
        deactivate("vring " + r.index + " stopped");
        stopKick(r);
        ByteBuffer reply = reply(VringState.SIZE);
        new VringState(r.index, r.base).encode(reply);
        return reply.flip();
    }

    private void setVringFd(MessageHeader h, ByteBuffer p, List<Fd> fds) throws ProtocolException, IOException {
        boolean hasFd = p.remaining() == 8 && (p.getLong(0) & VRING_NOFD) == 0;
        expect(h, p, fds, 8, hasFd ? 1 : 0);
        long value = p.getLong();
        if ((value & ~(VRING_INDEX_MASK | VRING_NOFD)) != 0) {
            throw new ProtocolException(Request.name(h.request()) + ": unknown bits in 0x" + Long.toHexString(value));
        }
        Vring r = ring(h.request(), (int) (value & VRING_INDEX_MASK));
        Fd fd = hasFd ? fds.remove(0) : null;
        switch (h.request()) {
            case Request.SET_VRING_KICK:
                if (fd == null) {
                    throw new ProtocolException("SET_VRING_KICK: vring " + r.index
                            + " without a descriptor (polling) is not supported");
                }
                startKick(r, fd);
                break;
            case Request.SET_VRING_CALL:
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
        long tag = (++kickSerial << 8) | r.index;
        try {
            Posix.setNonBlocking(fd);
            epoll.add(fd, tag);
        } catch (IOException e) {
            fd.close();
            throw new ProtocolException("SET_VRING_KICK: vring " + r.index + ": the descriptor cannot be waited on: "
                    + e.getMessage(), e);
        }
        r.kick = fd;
        r.kickTag = tag;
        maybeActivate();
        if (active && r.enabled) {
            // A kick may have been written before the descriptor reached us.
            notifyDevice(r.index);
        }
    }

    private void stopKick(Vring r) {
        if (r.kick != null) {
            try {
                epoll.remove(r.kick);
            } catch (IOException e) {
                LOG.debug("vring {}: {}", r.index, e.getMessage());
            }
            r.kick.close();
            r.kick = null;
        }
    }

    private void setVringEnable(VringState s) throws ProtocolException {
        Vring r = ring(Request.SET_VRING_ENABLE, s.index());
        if (s.num() != 0 && s.num() != 1) {
            throw new ProtocolException("SET_VRING_ENABLE: vring " + r.index + " state " + s.num() + " is not 0 or 1");
        }
        boolean enable = s.num() == 1;
        boolean was = r.enabled;
        r.enabled = enable;
        if (enable && !was) {
            maybeActivate();
            if (active) {
                notifyDevice(r.index);
            }
        }
    }

    private ByteBuffer getConfig(MessageHeader h, ByteBuffer p, List<Fd> fds) throws ProtocolException {
        ConfigSpace c = configRequest(h, p, fds);
        byte[] data = new byte[c.size()];
        device.readConfig(c.offset(), data);
        ConfigSpace answer = new ConfigSpace(c.offset(), c.size(), c.flags(), data);
        ByteBuffer reply = reply(answer.encodedSize());
        answer.encode(reply);
        return reply.flip();
    }

    private void setConfig(MessageHeader h, ByteBuffer p, List<Fd> fds) throws ProtocolException {
        ConfigSpace c = configRequest(h, p, fds);
        if (c.flags() != ConfigSpace.FLAG_WRITABLE && c.flags() != ConfigSpace.FLAG_MIGRATION) {
            throw new ProtocolException("SET_CONFIG: unknown flags " + c.flags());
        }
        device.writeConfig(c.offset(), c.payload());
    }

    private ConfigSpace configRequest(MessageHeader h, ByteBuffer p, List<Fd> fds) throws ProtocolException {
        if (p.remaining() < ConfigSpace.HEADER_SIZE) {
            expect(h, p, fds, ConfigSpace.HEADER_SIZE, 0);
        }
        int size = p.getInt(4);
        if (size < 0 || size > ConfigSpace.MAX_SIZE) {
            throw new ProtocolException(Request.name(h.request()) + ": config size " + Integer.toUnsignedString(size)
                    + " exceeds " + ConfigSpace.MAX_SIZE);
        }
        expect(h, p, fds, ConfigSpace.HEADER_SIZE + size, 0);
        ConfigSpace c = ConfigSpace.decode(p, size);
        if (c.offset() < 0 || c.offset() > ConfigSpace.MAX_SIZE - size) {
            throw new ProtocolException(Request.name(h.request()) + ": config range "
                    + Integer.toUnsignedString(c.offset()) + "+" + size + " exceeds " + ConfigSpace.MAX_SIZE);
        }
        return c;
    }

    private void setBackendChannel(Fd fd) {
        synchronized (backendLock) {
            if (backendChannel != null) {
                backendChannel.close();
            }
            backendChannel = new UnixSocket(fd, "back-end request channel");
            configChangeFailureLogged = false;
        }
    }

    private void notifyConfigChange() {
        if (!ProtocolFeatures.has(protocolFeatures, ProtocolFeatures.CONFIG)) {
            return;
        }
        synchronized (backendLock) {
            if (backendChannel == null) {
                return;
            }
            ByteBuffer msg = ByteBuffer.allocateDirect(MessageHeader.SIZE).order(ByteOrder.LITTLE_ENDIAN);
            new MessageHeader(Request.BACKEND_CONFIG_CHANGE_MSG, MessageHeader.VERSION, 0).encode(msg);
            try {
                backendChannel.send(msg.flip());
            } catch (IOException e) {
                if (!configChangeFailureLogged) {
                    configChangeFailureLogged = true;
                    LOG.warn("cannot tell the front end that the config space changed: {}", e.getMessage());
                }
            }
        }
    }

    // ---- the device ------------------------------------------------------------------

    private void maybeActivate() throws ProtocolException {
        if (active || memory.isEmpty()) {
            return;
        }
        for (Vring r : rings) {
            if (!r.started() || !r.enabled || r.num == 0 || !r.addressed) {
                return;
            }
        }
        boolean eventIdx = VirtioFeatures.has(ackedFeatures, VirtioFeatures.VIRTIO_RING_F_EVENT_IDX);
        List<Virtqueue> queues = new ArrayList<>(rings.length);
        for (Vring r : rings) {
            try {
                Virtqueue q = new Virtqueue(r.index, memory.memory(), r.num, r.descGpa, r.availGpa, r.usedGpa, eventIdx);
                q.setNextAvailIndex(r.base);
                queues.add(q);
            } catch (InvalidQueueException | RuntimeException e) {
                throw new ProtocolException("vring " + r.index + " cannot be started: " + e.getMessage(), e);
            }
        }
        for (int i = 0; i < rings.length; i++) {
            rings[i].queue = queues.get(i);
        }
        memory.deviceStarted();
        active = true;
        device.activate(ackedFeatures & ~VirtioFeatures.bit(F_PROTOCOL_FEATURES), memory.memory(),
                List.copyOf(queues), interrupts);
        LOG.info("device activated: features 0x{}, {} vrings", Long.toHexString(ackedFeatures), rings.length);
        // Kicks that came before the device was active were drained without effect.
        for (Vring r : rings) {
            notifyDevice(r.index);
        }
    }

    private void deactivate(String why) {
        if (!active) {
            return;
        }
        active = false;
        try {
            device.reset();
        } catch (RuntimeException e) {
            LOG.error("device reset failed", e);
        }
        for (Vring r : rings) {
            if (r.queue != null) {
                r.base = r.queue.nextAvailIndex();
                r.queue = null;
            }
        }
        memory.deviceStopped();
        LOG.info("device reset: {}", why);
    }

    private void resetDevice() {
        deactivate("RESET_DEVICE");
        ackedFeatures = 0;
        for (Vring r : rings) {
            stopKick(r);
            r.closeCallAndErr();
            r.num = 0;
            r.addressed = false;
            r.base = 0;
            r.enabled = false;
        }
    }

    private void notifyDevice(int index) {
        try {
            device.queueNotify(index);
        } catch (RuntimeException e) {
            LOG.error("the device failed on a notification of queue {}", index, e);
        }
    }

    // ---- the kick thread ------------------------------------------------------------

    private void kickLoop() {
        long[] tags = new long[rings.length + 1];
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
                    kicked(tags[i]);
                }
            }
        } catch (IOException e) {
            if (!stopping) {
                LOG.error("the kick loop failed; dropping the front end", e);
                abort();
            }
        }
    }

    private void kicked(long tag) throws IOException {
        synchronized (lock) {
            Vring r = rings[(int) (tag & VRING_INDEX_MASK)];
            if (r.kick == null || r.kickTag != tag) {
                return; // the descriptor was replaced or the ring stopped after epoll saw it
            }
            Posix.drain(r.kick);
            if (active && r.enabled) {
                notifyDevice(r.index);
            }
        }
    }

    // ---- replies and clean-up -------------------------------------------------------

    private ByteBuffer reply(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private ByteBuffer u64(long value) {
        return reply(8).putLong(value).flip();
    }

    private ByteBuffer ack(long status) {
        return u64(status);
    }

    private void sendReply(int request, ByteBuffer payload) throws IOException {
        tx.clear();
        new MessageHeader(request, MessageHeader.VERSION | MessageHeader.REPLY, payload.remaining()).encode(tx);
        tx.put(payload).flip();
        socket.send(tx);
    }

    private void cleanUp() {
        stopping = true;
        try {
            Posix.signal(wake);
        } catch (IOException e) {
            LOG.error("cannot wake the kick loop", e);
        }
        try {
            kickThread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        DisplayChannel channel;
        synchronized (lock) {
            channel = display;
            display = null;
        }
        if (channel != null) {
            channel.close();
        }
        synchronized (lock) {
            deactivate("front end gone");
            memory.close();
            for (Vring r : rings) {
                stopKick(r);
                r.closeCallAndErr();
            }
        }
        synchronized (backendLock) {
            if (backendChannel != null) {
                backendChannel.close();
                backendChannel = null;
            }
        }
        epoll.close();
        wake.close();
        socket.close();
    }
}
