package dev.neep.vhostuser.gpu.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import dev.neep.backend2d.Backend2d;
import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.device.DeviceConfig;
import dev.neep.gpu.device.VirtioGpu;
import dev.neep.gpu.protocol.CtrlHdr;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.DisplayOne;
import dev.neep.gpu.protocol.GpuFeatures;
import dev.neep.gpu.protocol.RespDisplayInfo;
import dev.neep.testkit.GpuDriver;
import dev.neep.testkit.TestPattern;
import dev.neep.vhostuser.VhostUserServer;
import dev.neep.vhostuser.frontend.FrontEnd;
import dev.neep.vhostuser.gpu.DisplayChannelListener;
import dev.neep.vhostuser.gpu.VhostUserGpu;
import dev.neep.vhostuser.protocol.MessageHeader;
import dev.neep.vhostuser.protocol.ProtocolFeatures;
import dev.neep.vhostuser.protocol.VhostUserRequest;
import dev.neep.vhostuser.sys.Fd;
import dev.neep.vhostuser.sys.Posix;
import dev.neep.vhostuser.sys.UnixSocket;
import dev.neep.virtio.GuestMemory;
import dev.neep.virtio.Interrupts;
import dev.neep.virtio.VirtioDevice;
import dev.neep.virtio.Virtqueue;

/**
 * The real virtio-gpu device with the pure-Java 2D backend behind the vhost-user server.
 * The testkit's guest driver talks to it through a front end made of {@link FrontEnd}
 * (so every command crosses the socket, the memfd and the eventfds), and a fake QEMU
 * display on the GPU_SET_SOCKET channel rebuilds the screen from SCANOUT and UPDATE
 * messages, which must then equal the test pattern pixel for pixel.
 */
public class GpuDeviceOverVhostUserTest {

    private static final int W = 320;
    private static final int H = 200;
    private static final long RAM = 8 << 20;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private VirtioGpu device;
    private VhostUserServer server;
    private Path socketPath;

    @Before
    public void start() throws Exception {
        assumeTrue("native access: " + Posix.unavailableReason(), Posix.unavailableReason() == null);
        device = VirtioGpu.create(new DeviceConfig(1, W, H, false, DeviceConfig.DEFAULT_MAX_HOSTMEM),
                Backend2d.provider());
        socketPath = tmp.getRoot().toPath().resolve("gpu.sock");
        server = VhostUserServer.listen(socketPath, device, new VhostUserGpu(new DisplayChannelListener() {
            @Override
            public void channelUp(DisplaySink sink, Map<String, Object> properties) {
                device.addSink(sink);
            }

            @Override
            public void channelDown(DisplaySink sink) {
                device.removeSink(sink);
            }
        })).start();
    }

    @After
    public void stop() {
        if (server != null) {
            server.close();
        }
        if (device != null) {
            device.close();
        }
    }

    @Test
    public void guestFrameReachesTheFrontEndDisplayPixelExact() throws Exception {
        try (RemoteGpu gpu = new RemoteGpu(new FrontEnd(socketPath, RAM))) {
            GpuDriver driver = gpu.startDriver();
            assertEquals(W, driver.getDisplayInfo().pmodes().get(0).r().width());
            driver.drawPattern(W, H);
            gpu.display.awaitPattern(W, H);
            assertTrue("one SCANOUT at least", gpu.display.scanouts > 0);
        }
    }

    @Test
    public void afterTheFrontEndIsKilledTheNextOneDrawsAgain() throws Exception {
        RemoteGpu first = new RemoteGpu(new FrontEnd(socketPath, RAM));
        try {
            GpuDriver driver = first.startDriver();
            driver.drawPattern(W, H);
            first.display.awaitPattern(W, H);
            assertEquals(1, device.resourceCount());
            first.peer.dropConnection();
            long end = System.currentTimeMillis() + 5000;
            while ((device.active() || device.resourceCount() != 0) && System.currentTimeMillis() < end) {
                Thread.sleep(10);
            }
            assertEquals("every resource released with the front end", 0, device.resourceCount());
        } finally {
            first.close();
        }
        try (RemoteGpu second = new RemoteGpu(new FrontEnd(socketPath, RAM))) {
            second.startDriver().drawPattern(W, H);
            second.display.awaitPattern(W, H);
        }
    }

    /** QEMU's display side of the vhost-user-gpu channel: answers questions, keeps the picture. */
    private static final class FakeDisplay implements Runnable, AutoCloseable {
        private final UnixSocket socket;
        private final Thread thread = new Thread(this, "fake-qemu-display");
        private int width;
        private int[] screen = new int[0];
        volatile int scanouts;
        private volatile IOException failure;

        FakeDisplay(Fd fd) {
            this.socket = new UnixSocket(fd);
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void run() {
            List<Fd> fds = new ArrayList<>();
            ByteBuffer header = ByteBuffer.allocateDirect(MessageHeader.SIZE).order(ByteOrder.LITTLE_ENDIAN);
            try {
                while (socket.receiveFully(header.clear(), fds)) {
                    MessageHeader h = MessageHeader.decode(header.flip());
                    ByteBuffer p = ByteBuffer.allocateDirect(h.size()).order(ByteOrder.LITTLE_ENDIAN);
                    socket.receiveFully(p, fds);
                    p.flip();
                    switch (h.request()) {
                        case GpuRequest.GET_PROTOCOL_FEATURES:
                            reply(h.request(), ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0).flip());
                            break;
                        case GpuRequest.GET_DISPLAY_INFO: {
                            ByteBuffer info = ByteBuffer.allocate(RespDisplayInfo.SIZE).order(ByteOrder.LITTLE_ENDIAN);
                            RespDisplayInfo.of(CtrlHdr.of(CtrlType.RESP_OK_DISPLAY_INFO),
                                    List.of(new DisplayOne(new dev.neep.gpu.protocol.Rect(0, 0, W, H), 1, 0)))
                                    .encode(info);
                            reply(h.request(), info.flip());
                            break;
                        }
                        case GpuRequest.SCANOUT:
                            synchronized (this) {
                                width = p.getInt(4);
                                screen = new int[width * p.getInt(8)];
                                scanouts++;
                            }
                            break;
                        case GpuRequest.UPDATE:
                            synchronized (this) {
                                int x = p.getInt(4);
                                int y = p.getInt(8);
                                int w = p.getInt(12);
                                int rows = p.getInt(16);
                                for (int r = 0; r < rows; r++) {
                                    for (int c = 0; c < w; c++) {
                                        screen[(y + r) * width + x + c] = p.getInt(20 + (r * w + c) * 4);
                                    }
                                }
                                notifyAll();
                            }
                            break;
                        default:
                            break;
                    }
                    fds.forEach(Fd::close);
                    fds.clear();
                }
            } catch (IOException e) {
                failure = e;
            }
        }

        private void reply(int request, ByteBuffer payload) throws IOException {
            ByteBuffer b = ByteBuffer.allocateDirect(MessageHeader.SIZE + payload.remaining())
                    .order(ByteOrder.LITTLE_ENDIAN);
            new MessageHeader(request, MessageHeader.REPLY, payload.remaining()).encode(b);
            socket.send(b.put(payload).flip());
        }

        synchronized void awaitPattern(int w, int h) throws Exception {
            long end = System.currentTimeMillis() + 10_000;
            Optional<String> mismatch = Optional.of("nothing shown");
            while (System.currentTimeMillis() < end) {
                if (screen.length == w * h) {
                    mismatch = TestPattern.compare(screen, w, w, h);
                    if (mismatch.isEmpty()) {
                        return;
                    }
                }
                wait(100);
            }
            throw new AssertionError("the front end's display does not show the pattern: " + mismatch.get()
                    + (failure != null ? " (display channel: " + failure.getMessage() + ")" : ""));
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    /**
     * The front end as a {@link VirtioDevice} for the testkit's driver: what QEMU's
     * vhost-user-gpu-pci does between the guest's driver and the back-end.
     */
    private static final class RemoteGpu implements VirtioDevice, AutoCloseable {
        final FrontEnd peer;
        final FakeDisplay display;
        private final long features;
        private final Fd stop;
        private Thread callWaiter;

        RemoteGpu(FrontEnd peer) throws IOException {
            this.peer = peer;
            this.features = peer.negotiate(ProtocolFeatures.OFFERED);
            Fd[] pair = Posix.socketPair("display");
            this.display = new FakeDisplay(pair[1]);
            peer.send(VhostUserGpu.GPU_SET_SOCKET, FrontEnd.none(), pair[0]);
            pair[0].close();
            this.stop = Posix.eventFd("stop");
        }

        GpuDriver startDriver() {
            return GpuDriver.start(this, peer.memory, peer.allocator, GpuDriver.Options.defaults()
                    .withGpuFeatures(GpuFeatures.mask(GpuFeatures.EDID)).withTimeout(Duration.ofSeconds(10)));
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
            display.close();
            peer.close();
        }
    }
}
