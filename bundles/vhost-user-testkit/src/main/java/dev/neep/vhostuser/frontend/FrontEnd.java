package dev.neep.vhostuser.frontend;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.neep.vhostuser.protocol.MemoryRegionDesc;
import dev.neep.vhostuser.protocol.MessageHeader;
import dev.neep.vhostuser.protocol.ProtocolFeatures;
import dev.neep.vhostuser.protocol.VhostUserRequest;
import dev.neep.vhostuser.protocol.VringAddr;
import dev.neep.vhostuser.protocol.VringState;
import dev.neep.vhostuser.sys.Fd;
import dev.neep.vhostuser.sys.Mapping;
import dev.neep.vhostuser.sys.Posix;
import dev.neep.vhostuser.sys.UnixSocket;
import dev.neep.virtio.MemoryRegion;
import dev.neep.virtio.RegionGuestMemory;
import dev.neep.virtio.driver.DriverQueue;
import dev.neep.virtio.driver.GuestAllocator;

/**
 * The front-end side of vhost-user, as QEMU plays it, for tests: a real unix socket, guest
 * RAM in a real memfd that both sides map, real eventfds for kicks and calls, and the
 * driver's view of the rings ({@link DriverQueue}) over the test's own mapping.
 */
public final class FrontEnd implements AutoCloseable {

    /** Where the front end pretends to have mapped guest RAM: user address = this + guest address. */
    public static final long USER_BASE = 0x7f00_0000_0000L;
    public static final long RAM_SIZE = 1 << 20;
    public static final int QUEUE_SIZE = 64;

    public final UnixSocket socket;
    public final Fd ram;
    public final Mapping ramMapping;
    public final RegionGuestMemory memory = new RegionGuestMemory();
    public final long ramSize;
    public final GuestAllocator allocator;
    public final List<DriverQueue> queues = new ArrayList<>();
    public final List<Fd> kicks = new ArrayList<>();
    public final List<Fd> calls = new ArrayList<>();
    private final List<Fd> others = new ArrayList<>();
    private long protocolFeatures;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(64 << 10).order(ByteOrder.LITTLE_ENDIAN);

    public FrontEnd(Path socketPath) throws IOException {
        this(socketPath, RAM_SIZE);
    }

    /** Connects, with {@code ramSize} bytes of guest RAM at guest address 0. */
    public FrontEnd(Path socketPath, long ramSize) throws IOException {
        this.ramSize = ramSize;
        this.allocator = new GuestAllocator(0x10000, ramSize - 0x10000);
        socket = new UnixSocket(Posix.connectUnix(socketPath));
        ram = Posix.memfd("test-guest-ram", ramSize);
        ramMapping = Posix.mapShared(ram, ramSize);
        memory.add(new MemoryRegion(0, ramSize, ramMapping.pieces(0, ramSize, MemoryRegion.MAX_PIECE)));
    }

    // ---- raw messages -----------------------------------------------------------------

    public void send(int request, int flags, ByteBuffer payload, Fd... fds) throws IOException {
        buffer.clear();
        new MessageHeader(request, flags, payload.remaining()).encode(buffer);
        buffer.put(payload.duplicate()).flip();
        socket.send(buffer, fds);
    }

    public void send(int request, ByteBuffer payload, Fd... fds) throws IOException {
        send(request, MessageHeader.VERSION, payload, fds);
    }

    /** The next message from the back-end: header and payload; null when the back-end closed the connection. */
    public Reply receive() throws IOException {
        List<Fd> fds = new ArrayList<>();
        try {
            ByteBuffer header = ByteBuffer.allocateDirect(MessageHeader.SIZE).order(ByteOrder.LITTLE_ENDIAN);
            if (Posix.pollIn(10_000, socket.fd()) < 0) {
                throw new IOException("no message from the back-end within 10 s");
            }
            if (!socket.receiveFully(header, fds)) {
                return null;
            }
            MessageHeader h = MessageHeader.decode(header.flip());
            ByteBuffer payload = ByteBuffer.allocateDirect(h.size()).order(ByteOrder.LITTLE_ENDIAN);
            socket.receiveFully(payload, fds);
            ByteBuffer copy = ByteBuffer.allocate(h.size()).order(ByteOrder.LITTLE_ENDIAN);
            copy.put(payload.flip()).flip();
            return new Reply(h, copy);
        } finally {
            fds.forEach(Fd::close);
        }
    }

    public record Reply(MessageHeader header, ByteBuffer payload) {
        public long u64() {
            return payload.getLong(0);
        }
    }

    /** True when the back-end has closed the connection (nothing more to read, end of file). */
    public boolean droppedByBackend() throws IOException {
        try {
            return receive() == null;
        } catch (IOException e) {
            // ECONNRESET: dropped as well
            return e.getMessage().contains("reset");
        }
    }

    public Reply call(int request, ByteBuffer payload, Fd... fds) throws IOException {
        send(request, payload, fds);
        Reply reply = receive();
        if (reply == null) {
            throw new IOException("the back-end closed the connection on " + VhostUserRequest.name(request));
        }
        if (reply.header.request() != request || reply.header.flags() != (MessageHeader.VERSION | MessageHeader.REPLY)) {
            throw new IOException("unexpected reply " + reply.header + " to " + VhostUserRequest.name(request));
        }
        return reply;
    }

    /** Sends with NEED_REPLY and returns the acknowledgement's status. */
    public long acked(int request, ByteBuffer payload, Fd... fds) throws IOException {
        send(request, MessageHeader.VERSION | MessageHeader.NEED_REPLY, payload, fds);
        Reply reply = receive();
        if (reply == null) {
            throw new IOException("the back-end closed the connection on " + VhostUserRequest.name(request));
        }
        return reply.u64();
    }

    public static ByteBuffer none() {
        return ByteBuffer.allocate(0);
    }

    public static ByteBuffer u64(long value) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).flip();
    }

    public static ByteBuffer state(int index, int num) {
        ByteBuffer b = ByteBuffer.allocate(VringState.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        new VringState(index, num).encode(b);
        return b.flip();
    }

    public static ByteBuffer region(long gpa, long size, long userAddress, long mmapOffset) {
        ByteBuffer b = ByteBuffer.allocate(MemoryRegionDesc.SINGLE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        new MemoryRegionDesc(gpa, size, userAddress, mmapOffset).encodeSingle(b);
        return b.flip();
    }

    public static ByteBuffer addr(int index, long desc, long used, long avail) {
        ByteBuffer b = ByteBuffer.allocate(VringAddr.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        new VringAddr(index, 0, desc, used, avail, 0).encode(b);
        return b.flip();
    }

    // ---- what QEMU does --------------------------------------------------------------

    /** The protocol features {@link #negotiate} settled on: those offered that the front end wanted. */
    public long protocolFeatures() {
        return protocolFeatures;
    }

    /** Feature negotiation as QEMU 10 does it; returns the features acknowledged. */
    public long negotiate(long protocolFeatures) throws IOException {
        long features = call(VhostUserRequest.GET_FEATURES, none()).u64();
        long offered = call(VhostUserRequest.GET_PROTOCOL_FEATURES, none()).u64();
        this.protocolFeatures = offered & protocolFeatures;
        send(VhostUserRequest.SET_PROTOCOL_FEATURES, u64(this.protocolFeatures));
        call(VhostUserRequest.GET_QUEUE_NUM, none());
        send(VhostUserRequest.SET_OWNER, none());
        send(VhostUserRequest.SET_FEATURES, u64(features));
        return features;
    }

    /** The whole start sequence of QEMU's vhost_dev_start for {@code count} rings, REPLY_ACK on. */
    public void start(int count) throws IOException {
        startRings(count, negotiate(ProtocolFeatures.OFFERED));
    }

    /**
     * The part of {@link #start} after {@link #negotiate}: guest memory and {@code count}
     * rings, for a test that does something in between (such as
     * {@link FrontEndSharedMemory#attach}); {@code features} as negotiated.
     */
    public void startRings(int count, long features) throws IOException {
        boolean eventIdx = (features & (1L << 29)) != 0;
        if (acked(VhostUserRequest.ADD_MEM_REG, region(0, ramSize, USER_BASE, 0), ram) != 0) {
            throw new IOException("ADD_MEM_REG refused");
        }
        for (int i = 0; i < count; i++) {
            DriverQueue q = DriverQueue.contiguous(memory, QUEUE_SIZE, 0x1000L + i * 0x2000L, eventIdx);
            queues.add(q);
            Fd kick = Posix.eventFd("test kick " + i);
            Fd call = Posix.eventFd("test call " + i);
            kicks.add(kick);
            calls.add(call);
            send(VhostUserRequest.SET_VRING_CALL, u64(i), call);
            send(VhostUserRequest.SET_VRING_NUM, state(i, QUEUE_SIZE));
            send(VhostUserRequest.SET_VRING_BASE, state(i, 0));
            send(VhostUserRequest.SET_VRING_ADDR, addr(i, USER_BASE + q.descTable(), USER_BASE + q.usedRing(),
                    USER_BASE + q.availRing()));
            send(VhostUserRequest.SET_VRING_KICK, u64(i), kick);
        }
        for (int i = 0; i < count; i++) {
            if (acked(VhostUserRequest.SET_VRING_ENABLE, state(i, 1)) != 0) {
                throw new IOException("SET_VRING_ENABLE refused");
            }
        }
    }

    public void kick(int queue) throws IOException {
        Posix.signal(kicks.get(queue));
    }

    /** Waits for the call eventfd of {@code queue}; false after {@code timeoutMs}. */
    public boolean awaitCall(int queue, int timeoutMs) throws IOException {
        if (Posix.pollIn(timeoutMs, calls.get(queue)) < 0) {
            return false;
        }
        Posix.drain(calls.get(queue));
        return true;
    }

    public Fd keep(Fd fd) {
        others.add(fd);
        return fd;
    }

    /** Closes the connection only, as a front end that was killed does. */
    public void dropConnection() {
        socket.close();
    }

    @Override
    public void close() {
        socket.close();
        kicks.forEach(Fd::close);
        calls.forEach(Fd::close);
        others.forEach(Fd::close);
        memory.clear();
        ramMapping.close();
        ram.close();
    }
}
