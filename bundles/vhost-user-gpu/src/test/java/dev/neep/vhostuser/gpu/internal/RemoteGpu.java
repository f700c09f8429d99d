package dev.neep.vhostuser.gpu.internal;

import dev.neep.gpu.protocol.GpuFeatures;
import dev.neep.testkit.GpuDriver;
import dev.neep.vhostuser.frontend.FrontEnd;
import dev.neep.vhostuser.gpu.VhostUserGpu;
import dev.neep.vhostuser.protocol.ProtocolFeatures;
import dev.neep.vhostuser.protocol.VhostUserRequest;
import dev.neep.vhostuser.sys.Fd;
import dev.neep.vhostuser.sys.Posix;
import dev.neep.virtio.GuestMemory;
import dev.neep.virtio.Interrupts;
import dev.neep.virtio.VirtioDevice;
import dev.neep.virtio.Virtqueue;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * The front end as a {@link VirtioDevice} for the testkit's driver: what QEMU's
 * vhost-user-gpu-pci does between the guest's driver and the back-end.
 */
final class RemoteGpu implements VirtioDevice, AutoCloseable {
    final FrontEnd peer;
    final FakeDisplay display;
    private final long features;
    private final Fd stop;
    private Thread callWaiter;

    /** Negotiates with the back-end and gives it a display channel of one {@code width} x {@code height} output. */
    RemoteGpu(FrontEnd peer, int width, int height) throws IOException {
        this(peer, width, height, ProtocolFeatures.OFFERED);
    }

    /** The same, the front end wanting only the protocol features of {@code protocolFeatures}. */
    RemoteGpu(FrontEnd peer, int width, int height, long protocolFeatures) throws IOException {
        this(peer, protocolFeatures, fd -> new FakeDisplay(fd, width, height));
    }

    /**
     * Negotiates with the back-end and gives it a display channel served by the display
     * {@code display} makes of its end; a null {@code display}: no channel (no GPU_SET_SOCKET).
     */
    RemoteGpu(FrontEnd peer, Function<Fd, FakeDisplay> display) throws IOException {
        this(peer, ProtocolFeatures.OFFERED, display);
    }

    private RemoteGpu(FrontEnd peer, long protocolFeatures, Function<Fd, FakeDisplay> display) throws IOException {
        this.peer = peer;
        this.features = peer.negotiate(protocolFeatures);
        if (display == null) {
            this.display = null;
        } else {
            Fd[] pair = Posix.socketPair("display");
            this.display = display.apply(pair[1]);
            peer.send(VhostUserGpu.GPU_SET_SOCKET, FrontEnd.none(), pair[0]);
            pair[0].close();
        }
        this.stop = Posix.eventFd("stop");
    }

    GpuDriver startDriver() {
        return startDriver(GpuFeatures.mask(GpuFeatures.EDID));
    }

    /** A driver accepting the GPU features of {@code gpuFeatures} the back-end offers. */
    GpuDriver startDriver(long gpuFeatures) {
        return GpuDriver.start(this, peer.memory, peer.allocator, GpuDriver.Options.defaults()
                .withGpuFeatures(gpuFeatures).withTimeout(Duration.ofSeconds(10)));
    }

    @Override
    public int deviceId() {
        return 16;
    }

    @Override
    public long deviceFeatures() {
        return features & ~(1L << 30);
    }

    @Override
    public int queueCount() {
        return 2;
    }

    @Override
    public int maxQueueSize(int queueIndex) {
        return 256;
    }

    @Override
    public int configSize() {
        return 24;
    }

    @Override
    public void readConfig(int offset, byte[] dst) {
        try {
            ByteBuffer get = ByteBuffer.allocate(12 + dst.length).order(ByteOrder.LITTLE_ENDIAN);
            get.putInt(offset).putInt(dst.length).putInt(0).position(get.capacity()).flip();
            peer.call(VhostUserRequest.GET_CONFIG, get).payload().get(12, dst);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void writeConfig(int offset, byte[] src) {
        try {
            ByteBuffer set = ByteBuffer.allocate(12 + src.length).order(ByteOrder.LITTLE_ENDIAN);
            set.putInt(offset).putInt(src.length).putInt(0).put(src).flip();
            peer.send(VhostUserRequest.SET_CONFIG, set);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void activate(long driverFeatures, GuestMemory memory, List<Virtqueue> queues, Interrupts irq) {
        try {
            peer.send(VhostUserRequest.SET_FEATURES, FrontEnd.u64(driverFeatures | (1L << 30)));
            if (peer.acked(VhostUserRequest.ADD_MEM_REG, FrontEnd.region(0, peer.ramSize, FrontEnd.USER_BASE, 0),
                    peer.ram) != 0) {
                throw new IllegalStateException("ADD_MEM_REG refused");
            }
            for (Virtqueue q : queues) {
                int i = q.index();
                Fd kick = Posix.eventFd("kick " + i);
                Fd call = Posix.eventFd("call " + i);
                peer.kicks.add(kick);
                peer.calls.add(call);
                peer.send(VhostUserRequest.SET_VRING_CALL, FrontEnd.u64(i), call);
                peer.send(VhostUserRequest.SET_VRING_NUM, FrontEnd.state(i, q.size()));
                peer.send(VhostUserRequest.SET_VRING_BASE, FrontEnd.state(i, 0));
                peer.send(VhostUserRequest.SET_VRING_ADDR, FrontEnd.addr(i, FrontEnd.USER_BASE + q.descTable(),
                        FrontEnd.USER_BASE + q.usedRing(), FrontEnd.USER_BASE + q.availRing()));
                peer.send(VhostUserRequest.SET_VRING_KICK, FrontEnd.u64(i), kick);
            }
            for (Virtqueue q : queues) {
                if (peer.acked(VhostUserRequest.SET_VRING_ENABLE, FrontEnd.state(q.index(), 1)) != 0) {
                    throw new IllegalStateException("SET_VRING_ENABLE refused");
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        callWaiter = new Thread(() -> waitForCalls(irq), "fake-qemu-calls");
        callWaiter.setDaemon(true);
        callWaiter.start();
    }

    private void waitForCalls(Interrupts irq) {
        Fd[] watched = {stop, peer.calls.get(0), peer.calls.get(1)};
        try {
            while (true) {
                int ready = Posix.pollIn(-1, watched);
                if (ready == 0) {
                    return;
                }
                Posix.drain(watched[ready]);
                irq.signalQueue(ready - 1);
            }
        } catch (IOException e) {
            // the test is ending
        }
    }

    @Override
    public void queueNotify(int queueIndex) {
        try {
            peer.kick(queueIndex);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void reset() {
        try {
            peer.acked(VhostUserRequest.RESET_DEVICE, FrontEnd.none());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws Exception {
        Posix.signal(stop);
        if (callWaiter != null) {
            callWaiter.join(5000);
        }
        stop.close();
        if (display != null) {
            display.close();
        }
        peer.close();
    }
}
