package dev.neep.vhostuser.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.neep.vhostuser.DeviceExtension;
import dev.neep.vhostuser.DeviceSession;
import dev.neep.vhostuser.FrontEndMessage;
import dev.neep.vhostuser.protocol.ConfigSpace;
import dev.neep.vhostuser.protocol.MemoryRegionDesc;
import dev.neep.vhostuser.protocol.MessageHeader;
import dev.neep.vhostuser.protocol.ProtocolException;
import dev.neep.vhostuser.protocol.ProtocolFeatures;
import dev.neep.vhostuser.protocol.ShmemConfig;
import dev.neep.vhostuser.protocol.VhostUserRequest;
import dev.neep.vhostuser.protocol.VringAddr;
import dev.neep.vhostuser.protocol.VringState;
import dev.neep.vhostuser.sys.Fd;
import dev.neep.vhostuser.sys.NativeException;
import dev.neep.vhostuser.sys.UnixSocket;
import dev.neep.virtio.Interrupts;
import dev.neep.virtio.VirtioDevice;

/**
 * One front end's connection, from accept to disconnect: the vhost-user back-end's side of
 * the conversation in front of one {@link VirtioDevice}. Each message is read whole and
 * offered to the device extension's session first, then handled here; the rings and the
 * device are {@link Vrings}'.
 *
 * <h2>Threads</h2>
 * The control thread (the server's) reads and answers messages, and changes ring and device
 * state only under {@link #lock}. The rings' kick eventfds are waited on in a {@link KickLoop}:
 * by the device's own thread when the device takes the loop as its notification source, else
 * by a thread of the loop's own; a kick reaches the device without {@link #lock}. The device's
 * own threads reach the transport only through {@link Interrupts} (each ring's call descriptor
 * has a lock of its own, and so has the back-end channel) and kicks (each ring's kick
 * descriptor has one too), never through {@link #lock}: a device reset that waits for the
 * device's thread can then never wait for the transport. The device extension is called on
 * the control thread without {@link #lock}.
 */
public final class FrontEndSession {

    private static final Logger LOG = LoggerFactory.getLogger(FrontEndSession.class);

    /** Larger than any front-end message this back-end accepts (SET_MEM_TABLE: 264 bytes). */
    static final int MAX_PAYLOAD = 4096;
    /** SET_MEM_TABLE carries at most this many regions (VHOST_MEMORY_BASELINE_NREGIONS). */
    static final int MAX_TABLE_REGIONS = 8;
    /** SET_VRING_KICK / CALL / ERR payload: ring index in bits 0-7, "no descriptor" in bit 8. */
    static final long VRING_INDEX_MASK = 0xff;
    static final long VRING_NOFD = 0x100;

    private static final int ECONNRESET = 104;

    private final UnixSocket socket;
    private final MemoryTable memory = new MemoryTable();
    private final BackendRequests backend = new BackendRequests();
    private final SharedMemory sharedMemory;
    private final Object lock = new Object();
    private final KickLoop kicks;
    private final Vrings vrings;
    private final VirtioDevice device;
    private final DeviceSession deviceSession;

    private final ByteBuffer rxHeader = ByteBuffer.allocateDirect(MessageHeader.SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer rxPayload = ByteBuffer.allocateDirect(MAX_PAYLOAD).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer tx = ByteBuffer.allocateDirect(MessageHeader.SIZE + MAX_PAYLOAD)
            .order(ByteOrder.LITTLE_ENDIAN);

    /** SET_PROTOCOL_FEATURES; read by the device's threads for config-change notices. */
    private volatile long protocolFeatures;
    private volatile boolean stopping;

    /**
     * Takes over the connected socket {@code connection}.
     *
     * @throws IOException when the kick loop or the extension's session cannot be set up
     *         (the connection is closed then)
     */
    public FrontEndSession(VirtioDevice device, Fd connection, DeviceExtension extension) throws IOException {
        this.device = device;
        this.socket = new UnixSocket(connection, "front-end connection");
        KickLoop loop = null;
        try {
            loop = new KickLoop(device.queueCount(), new KickLoop.Target() {
                @Override
                public void kicked(long tag) throws IOException {
                    vrings.kicked(tag);
                }

                @Override
                public void failed(IOException e) {
                    LOG.error("the kick loop failed; dropping the front end", e);
                    abort();
                }
            });
            this.deviceSession = extension.connected(backend);
        } catch (IOException | RuntimeException e) {
            if (loop != null) {
                loop.close();
            }
            socket.close();
            throw e;
        }
        this.kicks = loop;
        this.sharedMemory = new SharedMemory(device, backend, () -> protocolFeatures);
        this.vrings = new Vrings(device, memory, sharedMemory, kicks, this::notifyConfigChange);
    }

    /** Serves the front end until it disconnects or sends something unacceptable; then releases everything. */
    public void run() {
        kicks.start(device);
        try {
            while (serveOne()) {
                // next message
            }
        } finally {
            cleanUp();
        }
    }

    /** Ends the session from another thread: the control thread sees end of file and cleans up. */
    public void abort() {
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
                throw new ProtocolException(VhostUserRequest.name(header.request())
                        + ": unsupported protocol version in flags 0x"
                        + Integer.toHexString(header.flags()));
            }
            if (header.size() < 0 || header.size() > MAX_PAYLOAD) {
                throw new ProtocolException(VhostUserRequest.name(header.request()) + ": payload size "
                        + Integer.toUnsignedString(header.size()) + " exceeds " + MAX_PAYLOAD);
            }
            rxPayload.clear().limit(header.size());
            socket.receiveFully(rxPayload, fds);
            rxPayload.flip();
            FrontEndMessage message = new FrontEndMessage(header, rxPayload, fds);
            ByteBuffer reply = null;
            if (!deviceSession.handle(message)) {
                synchronized (lock) {
                    try {
                        reply = handle(message);
                    } finally {
                        vrings.updateNotifiable();
                    }
                }
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
                    header == null ? "a message" : VhostUserRequest.name(header.request()), e);
            return false;
        } finally {
            fds.forEach(Fd::close);
        }
    }

    private static boolean hasOwnReply(int request) {
        switch (request) {
            case VhostUserRequest.GET_FEATURES:
            case VhostUserRequest.GET_PROTOCOL_FEATURES:
            case VhostUserRequest.GET_QUEUE_NUM:
            case VhostUserRequest.GET_VRING_BASE:
            case VhostUserRequest.GET_CONFIG:
            case VhostUserRequest.GET_MAX_MEM_SLOTS:
            case VhostUserRequest.GET_SHMEM_CONFIG:
                return true;
            default:
                return false;
        }
    }

    /**
     * Handles one request of the generic protocol; returns the reply payload of a request
     * that has one, null for the others.
     */
    private ByteBuffer handle(FrontEndMessage m) throws ProtocolException {
        ByteBuffer p = m.payload();
        int request = m.request();
        switch (request) {
            case VhostUserRequest.GET_FEATURES:
                m.expect(0, 0);
                return u64(vrings.offeredFeatures());
            case VhostUserRequest.SET_FEATURES:
                m.expect(8, 0);
                vrings.setFeatures(p.getLong());
                return null;
            case VhostUserRequest.GET_PROTOCOL_FEATURES:
                m.expect(0, 0);
                return u64(sharedMemory.offeredProtocolFeatures());
            case VhostUserRequest.SET_PROTOCOL_FEATURES:
                m.expect(8, 0);
                protocolFeatures = p.getLong() & sharedMemory.offeredProtocolFeatures();
                return null;
            case VhostUserRequest.GET_SHMEM_CONFIG:
                return getShmemConfig(m);
            case VhostUserRequest.SET_OWNER:
                m.expect(0, 0);
                return null;
            case VhostUserRequest.RESET_OWNER:
                m.expect(0, 0);
                vrings.disableAll();
                return null;
            case VhostUserRequest.RESET_DEVICE:
                m.expect(0, 0);
                vrings.reset("RESET_DEVICE");
                return null;
            case VhostUserRequest.GET_QUEUE_NUM:
                m.expect(0, 0);
                return u64(vrings.count());
            case VhostUserRequest.GET_MAX_MEM_SLOTS:
                m.expect(0, 0);
                return u64(MemoryTable.MAX_SLOTS);
            case VhostUserRequest.SET_MEM_TABLE:
                setMemTable(m);
                return null;
            case VhostUserRequest.ADD_MEM_REG:
                m.expect(MemoryRegionDesc.SINGLE_SIZE, 1);
                memory.add(MemoryRegionDesc.decodeSingle(p), m.fd(0));
                vrings.maybeActivate();
                return null;
            case VhostUserRequest.REM_MEM_REG:
                // No descriptor should come with it, but QEMU has sent one: accepted and closed.
                m.expect(MemoryRegionDesc.SINGLE_SIZE, m.descriptors() == 0 ? 0 : 1);
                memory.remove(MemoryRegionDesc.decodeSingle(p));
                return null;
            case VhostUserRequest.SET_VRING_NUM:
                m.expect(VringState.SIZE, 0);
                vrings.setNum(VringState.decode(p));
                return null;
            case VhostUserRequest.SET_VRING_ADDR:
                m.expect(VringAddr.SIZE, 0);
                vrings.setAddr(VringAddr.decode(p));
                return null;
            case VhostUserRequest.SET_VRING_BASE:
                m.expect(VringState.SIZE, 0);
                vrings.setBase(VringState.decode(p));
                return null;
            case VhostUserRequest.GET_VRING_BASE:
                m.expect(VringState.SIZE, 0);
                return getVringBase(VringState.decode(p));
            case VhostUserRequest.SET_VRING_KICK:
            case VhostUserRequest.SET_VRING_CALL:
            case VhostUserRequest.SET_VRING_ERR:
                setVringFd(m);
                return null;
            case VhostUserRequest.SET_VRING_ENABLE:
                m.expect(VringState.SIZE, 0);
                vrings.setEnable(VringState.decode(p));
                return null;
            case VhostUserRequest.GET_CONFIG:
                return getConfig(m);
            case VhostUserRequest.SET_CONFIG:
                setConfig(m);
                return null;
            case VhostUserRequest.SET_BACKEND_REQ_FD:
                m.expect(0, 1);
                backend.open(m.takeFd());
                return null;
            case VhostUserRequest.SET_LOG_BASE:
            case VhostUserRequest.SET_LOG_FD:
            case VhostUserRequest.SEND_RARP:
            case VhostUserRequest.NET_SET_MTU:
            case VhostUserRequest.IOTLB_MSG:
            case VhostUserRequest.SET_VRING_ENDIAN:
            case VhostUserRequest.VRING_KICK:
            case VhostUserRequest.SET_STATUS:
            case VhostUserRequest.GET_STATUS:
                throw new ProtocolException(VhostUserRequest.name(request)
                        + " is not supported (its feature was not offered)");
            default:
                throw new ProtocolException("unknown request " + Integer.toUnsignedString(request));
        }
    }

    private void setMemTable(FrontEndMessage m) throws ProtocolException {
        ByteBuffer p = m.payload();
        if (p.remaining() < 8) {
            throw new ProtocolException(m.name() + ": payload of " + p.remaining() + " bytes");
        }
        int count = p.getInt();
        p.getInt();
        if (count < 0 || count > MAX_TABLE_REGIONS) {
            throw new ProtocolException(m.name() + ": " + Integer.toUnsignedString(count)
                    + " regions, at most " + MAX_TABLE_REGIONS);
        }
        p.rewind();
        m.expect(8 + count * MemoryRegionDesc.SIZE, count);
        p.position(8);
        memory.removeAll();
        for (int i = 0; i < count; i++) {
            memory.add(MemoryRegionDesc.decode(p), m.fd(i));
        }
        vrings.maybeActivate();
    }

    private ByteBuffer getShmemConfig(FrontEndMessage m) throws ProtocolException {
        if (!ProtocolFeatures.has(protocolFeatures, ProtocolFeatures.SHMEM)) {
            throw new ProtocolException(m.name() + " without the SHMEM protocol feature");
        }
        m.expect(0, 0);
        ByteBuffer reply = reply(ShmemConfig.SIZE);
        sharedMemory.config().encode(reply);
        return reply.flip();
    }

    private ByteBuffer getVringBase(VringState s) throws ProtocolException {
        int base = vrings.stopRing(s);
        ByteBuffer reply = reply(VringState.SIZE);
        new VringState(s.index(), base).encode(reply);
        return reply.flip();
    }

    private void setVringFd(FrontEndMessage m) throws ProtocolException {
        ByteBuffer p = m.payload();
        boolean hasFd = p.remaining() == 8 && (p.getLong(0) & VRING_NOFD) == 0;
        m.expect(8, hasFd ? 1 : 0);
        long value = p.getLong();
        if ((value & ~(VRING_INDEX_MASK | VRING_NOFD)) != 0) {
            throw new ProtocolException(m.name() + ": unknown bits in 0x" + Long.toHexString(value));
        }
        vrings.setFd(m.request(), (int) (value & VRING_INDEX_MASK), hasFd ? m.takeFd() : null);
    }

    private ByteBuffer getConfig(FrontEndMessage m) throws ProtocolException {
        ConfigSpace c = configRequest(m);
        byte[] data = new byte[c.size()];
        device.readConfig(c.offset(), data);
        ConfigSpace answer = new ConfigSpace(c.offset(), c.size(), c.flags(), data);
        ByteBuffer reply = reply(answer.encodedSize());
        answer.encode(reply);
        return reply.flip();
    }

    private void setConfig(FrontEndMessage m) throws ProtocolException {
        ConfigSpace c = configRequest(m);
        if (c.flags() != ConfigSpace.FLAG_WRITABLE && c.flags() != ConfigSpace.FLAG_MIGRATION) {
            throw new ProtocolException("SET_CONFIG: unknown flags " + c.flags());
        }
        device.writeConfig(c.offset(), c.payload());
    }

    private ConfigSpace configRequest(FrontEndMessage m) throws ProtocolException {
        ByteBuffer p = m.payload();
        if (p.remaining() < ConfigSpace.HEADER_SIZE) {
            m.expect(ConfigSpace.HEADER_SIZE, 0);
        }
        int size = p.getInt(4);
        if (size < 0 || size > ConfigSpace.MAX_SIZE) {
            throw new ProtocolException(m.name() + ": config size " + Integer.toUnsignedString(size)
                    + " exceeds " + ConfigSpace.MAX_SIZE);
        }
        m.expect(ConfigSpace.HEADER_SIZE + size, 0);
        ConfigSpace c = ConfigSpace.decode(p, size);
        if (c.offset() < 0 || c.offset() > ConfigSpace.MAX_SIZE - size) {
            throw new ProtocolException(m.name() + ": config range " + Integer.toUnsignedString(c.offset()) + "+"
                    + size + " exceeds " + ConfigSpace.MAX_SIZE);
        }
        return c;
    }

    /** {@link Interrupts#signalConfigChange}, from the device's threads: only when CONFIG was negotiated. */
    private void notifyConfigChange() {
        if (ProtocolFeatures.has(protocolFeatures, ProtocolFeatures.CONFIG)) {
            backend.configChanged();
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

    /**
     * The front end is gone: the device extension's session, then the back-end channel (its
     * shared memory mappings went with the front end), then the device, then memory and
     * descriptors.
     */
    private void cleanUp() {
        stopping = true;
        kicks.stop();
        try {
            deviceSession.close();
        } catch (RuntimeException e) {
            LOG.error("the device extension failed to end its session", e);
        }
        sharedMemory.frontEndGone();
        backend.close();
        synchronized (lock) {
            vrings.reset("front end gone");
            vrings.updateNotifiable();
            memory.close();
        }
        kicks.close();
        socket.close();
    }
}
