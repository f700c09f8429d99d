package dev.neep.vhostuser.frontend;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import dev.neep.vhostuser.DeviceExtension;
import dev.neep.vhostuser.VhostUserServer;
import dev.neep.vhostuser.protocol.MessageHeader;
import dev.neep.vhostuser.protocol.ProtocolFeatures;
import dev.neep.vhostuser.protocol.VhostUserRequest;
import dev.neep.vhostuser.sys.Fd;
import dev.neep.vhostuser.sys.Posix;
import dev.neep.virtio.VirtioFeatures;
import dev.neep.virtio.driver.DriverQueue;
import dev.neep.virtio.driver.UsedElement;

/**
 * The back-end over a real unix socket, a real memfd as guest RAM and real eventfds,
 * driven by {@link FrontEnd} the way QEMU drives it, in front of {@link EchoDevice}.
 */
public class VhostUserServerTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final EchoDevice device = new EchoDevice();
    private Path socketPath;
    private VhostUserServer server;
    private Set<String> baselineFds;

    @Before
    public void startServer() throws IOException {
        assumeTrue("native access: " + Posix.unavailableReason(), Posix.unavailableReason() == null);
        socketPath = tmp.getRoot().toPath().resolve("vu.sock");
        server = VhostUserServer.listen(socketPath, device, DeviceExtension.NONE).start();
        baselineFds = OpenFds.now();
    }

    @After
    public void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    /** Waits until no descriptor opened since the test's start is still open. */
    private void assertEveryDescriptorReleased() throws InterruptedException {
        OpenFds.assertReleasedSince(baselineFds);
    }

    private FrontEnd connect() throws IOException {
        return new FrontEnd(socketPath);
    }

    private void assertServes() throws Exception {
        int activations = device.activations.get();
        try (FrontEnd peer = connect()) {
            peer.start(2);
            assertTrue(device.awaitActivations(activations + 1, 5000));
            assertEquals("olleh", EchoDevice.roundTrip(peer, 0, "hello"));
            assertEquals("rosruc", EchoDevice.roundTrip(peer, 1, "cursor"));
        }
    }

    @Test
    public void kickIsServedAndTheCallEventfdSignalled() throws Exception {
        try (FrontEnd peer = connect()) {
            peer.start(2);
            assertTrue(device.awaitActivations(1, 5000));
            assertEquals("cba", EchoDevice.roundTrip(peer, 0, "abc"));
            assertEquals("zyx", EchoDevice.roundTrip(peer, 1, "xyz"));
            assertEquals("4321", EchoDevice.roundTrip(peer, 0, "1234"));
        }
        assertTrue(device.awaitResets(1, 5000));
        assertEveryDescriptorReleased();
    }

    @Test
    public void killFrontEndMidStreamThenSecondFrontEndWorks() throws Exception {
        FrontEnd first = connect();
        try {
            first.start(2);
            assertTrue(device.awaitActivations(1, 5000));
            assertEquals("1", EchoDevice.roundTrip(first, 0, "1"));
            // Work in flight when the front end dies: published, kicked, never collected.
            DriverQueue q = first.queues.get(0);
            for (int i = 0; i < 5; i++) {
                q.submit(first.allocator, List.of(ByteBuffer.wrap(new byte[] {(byte) i})), 1);
            }
            first.kick(0);
            first.dropConnection();
            assertTrue("device reset after the front end died", device.awaitResets(1, 5000));
        } finally {
            first.close();
        }
        assertEveryDescriptorReleased();
        assertServes();
        assertEquals(2, device.activations.get());
    }

    private void assertDroppedThenNextFrontEndServed(FrontEnd peer) throws Exception {
        assertTrue("connection dropped", peer.droppedByBackend());
        peer.close();
        assertEveryDescriptorReleased();
        assertServes();
    }

    @Test
    public void wrongSizeForRequest() throws Exception {
        FrontEnd peer = connect();
        peer.negotiate(ProtocolFeatures.OFFERED);
        peer.send(VhostUserRequest.SET_VRING_NUM, ByteBuffer.allocate(4));
        assertDroppedThenNextFrontEndServed(peer);
    }

    @Test
    public void unknownRequest() throws Exception {
        FrontEnd peer = connect();
        peer.negotiate(ProtocolFeatures.OFFERED);
        peer.send(999, FrontEnd.none());
        assertDroppedThenNextFrontEndServed(peer);
    }

    @Test
    public void unmappableRegion() throws Exception {
        FrontEnd peer = connect();
        peer.negotiate(ProtocolFeatures.OFFERED);
        // Larger than the file behind it: mapped, it would raise SIGBUS when touched.
        peer.send(VhostUserRequest.ADD_MEM_REG, FrontEnd.region(0, 2 * FrontEnd.RAM_SIZE, FrontEnd.USER_BASE, 0),
                peer.ram);
        assertDroppedThenNextFrontEndServed(peer);
    }

    @Test
    public void regionWhoseDescriptorIsNotMemory() throws Exception {
        FrontEnd peer = connect();
        peer.negotiate(ProtocolFeatures.OFFERED);
        Fd notMemory = peer.keep(Posix.eventFd("not memory"));
        peer.send(VhostUserRequest.ADD_MEM_REG, FrontEnd.region(0, 4096, FrontEnd.USER_BASE, 0), notMemory);
        assertDroppedThenNextFrontEndServed(peer);
    }

    @Test
    public void vringOutsideGuestMemory() throws Exception {
        FrontEnd peer = connect();
        peer.negotiate(ProtocolFeatures.OFFERED);
        assertEquals(0, peer.acked(VhostUserRequest.ADD_MEM_REG,
                FrontEnd.region(0, FrontEnd.RAM_SIZE, FrontEnd.USER_BASE, 0), peer.ram));
        peer.send(VhostUserRequest.SET_VRING_NUM, FrontEnd.state(0, 64));
        long outside = FrontEnd.USER_BASE + FrontEnd.RAM_SIZE + 0x1000;
        peer.send(VhostUserRequest.SET_VRING_ADDR, FrontEnd.addr(0, outside, FrontEnd.USER_BASE + 0x2000,
                FrontEnd.USER_BASE + 0x3000));
        assertDroppedThenNextFrontEndServed(peer);
    }

    @Test
    public void vringCrossingTheEndOfGuestMemory() throws Exception {
        FrontEnd peer = connect();
        peer.negotiate(ProtocolFeatures.OFFERED);
        assertEquals(0, peer.acked(VhostUserRequest.ADD_MEM_REG,
                FrontEnd.region(0, FrontEnd.RAM_SIZE, FrontEnd.USER_BASE, 0), peer.ram));
        peer.send(VhostUserRequest.SET_VRING_NUM, FrontEnd.state(0, 256));
        // The table starts inside guest memory but its 4096 bytes run past the end.
        long nearEnd = FrontEnd.USER_BASE + FrontEnd.RAM_SIZE - 0x100;
        peer.send(VhostUserRequest.SET_VRING_ADDR, FrontEnd.addr(0, nearEnd, FrontEnd.USER_BASE + 0x2000,
                FrontEnd.USER_BASE + 0x3000));
        assertDroppedThenNextFrontEndServed(peer);
    }

    @Test
    public void replyAckIsSent() throws Exception {
        try (FrontEnd peer = connect()) {
            peer.negotiate(ProtocolFeatures.OFFERED);
            peer.send(VhostUserRequest.SET_VRING_NUM, MessageHeader.VERSION | MessageHeader.NEED_REPLY,
                    FrontEnd.state(0, 64));
            FrontEnd.Reply ack = peer.receive();
            assertNotNull(ack);
            assertEquals(VhostUserRequest.SET_VRING_NUM, ack.header().request());
            assertEquals(MessageHeader.VERSION | MessageHeader.REPLY, ack.header().flags());
            assertEquals(8, ack.header().size());
            assertEquals(0, ack.u64());
        }
    }

    @Test
    public void noAcknowledgementWithoutReplyAck() throws Exception {
        try (FrontEnd peer = connect()) {
            peer.negotiate(ProtocolFeatures.OFFERED & ~ProtocolFeatures.bit(ProtocolFeatures.REPLY_ACK));
            peer.send(VhostUserRequest.SET_VRING_NUM, MessageHeader.VERSION | MessageHeader.NEED_REPLY,
                    FrontEnd.state(0, 64));
            // The next thing on the wire is the answer to the next request.
            assertEquals(VhostUserRequest.GET_QUEUE_NUM, peer.call(VhostUserRequest.GET_QUEUE_NUM, FrontEnd.none()).header().request());
        }
    }

    @Test
    public void transportOffersOnlyFeaturesItServes() throws Exception {
        try (FrontEnd peer = connect()) {
            long features = peer.call(VhostUserRequest.GET_FEATURES, FrontEnd.none()).u64();
            assertTrue("VHOST_USER_F_PROTOCOL_FEATURES", (features & (1L << 30)) != 0);
            assertTrue("the device's own bit", (features & (1L << 1)) != 0);
            assertTrue(VirtioFeatures.has(features, VirtioFeatures.VIRTIO_F_VERSION_1));
            assertFalse("packed rings are not served here", VirtioFeatures.has(features, VirtioFeatures.VIRTIO_F_RING_PACKED));
            assertEquals(2, peer.call(VhostUserRequest.GET_QUEUE_NUM, FrontEnd.none()).u64());
            assertEquals("the memory table's slots", 32, peer.call(VhostUserRequest.GET_MAX_MEM_SLOTS, FrontEnd.none()).u64());
        }
    }

    @Test
    public void ringsStartOnlyOnceEnabled() throws Exception {
        try (FrontEnd peer = connect()) {
            peer.negotiate(ProtocolFeatures.OFFERED);
            assertEquals(0, peer.acked(VhostUserRequest.ADD_MEM_REG,
                    FrontEnd.region(0, FrontEnd.RAM_SIZE, FrontEnd.USER_BASE, 0), peer.ram));
            for (int i = 0; i < 2; i++) {
                DriverQueue q = DriverQueue.contiguous(peer.memory, 64, 0x1000L + i * 0x2000L, false);
                peer.send(VhostUserRequest.SET_VRING_NUM, FrontEnd.state(i, 64));
                peer.send(VhostUserRequest.SET_VRING_ADDR, FrontEnd.addr(i, FrontEnd.USER_BASE + q.descTable(),
                        FrontEnd.USER_BASE + q.usedRing(), FrontEnd.USER_BASE + q.availRing()));
                peer.send(VhostUserRequest.SET_VRING_KICK, FrontEnd.u64(i), peer.keep(Posix.eventFd("kick")));
            }
            assertEquals(2, peer.call(VhostUserRequest.GET_QUEUE_NUM, FrontEnd.none()).u64());
            assertEquals("started but disabled: not active", 0, device.activations.get());
            assertEquals(0, peer.acked(VhostUserRequest.SET_VRING_ENABLE, FrontEnd.state(0, 1)));
            assertEquals(0, device.activations.get());
            assertEquals(0, peer.acked(VhostUserRequest.SET_VRING_ENABLE, FrontEnd.state(1, 1)));
            assertTrue(device.awaitActivations(1, 5000));
            assertEquals(VirtioFeatures.bit(VirtioFeatures.VIRTIO_F_VERSION_1)
                    | VirtioFeatures.bit(VirtioFeatures.VIRTIO_RING_F_EVENT_IDX) | 1L << 1, device.driverFeatures);
        }
    }

    @Test
    public void getVringBaseStopsTheRingAndAnswersTheNextAvailIndex() throws Exception {
        try (FrontEnd peer = connect()) {
            peer.start(2);
            assertTrue(device.awaitActivations(1, 5000));
            for (int i = 0; i < 3; i++) {
                EchoDevice.roundTrip(peer, 0, "x" + i);
            }
            FrontEnd.Reply base = peer.call(VhostUserRequest.GET_VRING_BASE, FrontEnd.state(0, 0));
            assertEquals(0, base.payload().getInt(0));
            assertEquals(3, base.payload().getInt(4));
            assertEquals("the device is reset when a ring stops", 1, device.resets.get());
            assertEquals(0, peer.call(VhostUserRequest.GET_VRING_BASE, FrontEnd.state(1, 0)).payload().getInt(4));

            // Restarted from where it stopped, as QEMU does after a stop.
            DriverQueue q = peer.queues.get(0);
            peer.send(VhostUserRequest.SET_VRING_BASE, FrontEnd.state(0, 3));
            peer.send(VhostUserRequest.SET_VRING_KICK, FrontEnd.u64(0), peer.kicks.get(0));
            peer.send(VhostUserRequest.SET_VRING_KICK, FrontEnd.u64(1), peer.kicks.get(1));
            assertTrue(device.awaitActivations(2, 5000));
            assertEquals("4x", EchoDevice.roundTrip(peer, 0, "x4"));
            assertEquals(4, q.usedIndex());
        }
    }

    @Test
    public void configSpaceIsReadAndWritten() throws Exception {
        device.config[8] = 1;
        try (FrontEnd peer = connect()) {
            peer.negotiate(ProtocolFeatures.OFFERED);
            ByteBuffer get = ByteBuffer.allocate(12 + 16).order(ByteOrder.LITTLE_ENDIAN);
            get.putInt(0).putInt(16).putInt(0).position(28).flip();
            FrontEnd.Reply reply = peer.call(VhostUserRequest.GET_CONFIG, get);
            assertEquals(28, reply.header().size());
            assertEquals(16, reply.payload().getInt(4));
            assertEquals(1, reply.payload().get(12 + 8));

            ByteBuffer set = ByteBuffer.allocate(12 + 4).order(ByteOrder.LITTLE_ENDIAN);
            set.putInt(4).putInt(4).putInt(0).putInt(0x01020304).flip();
            assertEquals(0, peer.acked(VhostUserRequest.SET_CONFIG, set));
            assertArrayEquals(new byte[] {4, 3, 2, 1}, java.util.Arrays.copyOfRange(device.config, 4, 8));
        }
    }

    @Test
    public void configRangeBeyondTheLimitIsRefused() throws Exception {
        FrontEnd peer = connect();
        peer.negotiate(ProtocolFeatures.OFFERED);
        ByteBuffer get = ByteBuffer.allocate(12 + 16).order(ByteOrder.LITTLE_ENDIAN);
        get.putInt(250).putInt(16).putInt(0).position(28).flip();
        peer.send(VhostUserRequest.GET_CONFIG, get);
        assertDroppedThenNextFrontEndServed(peer);
    }

    @Test
    public void resetDeviceReleasesTheRingsAndKeepsTheConnection() throws Exception {
        try (FrontEnd peer = connect()) {
            peer.start(2);
            assertTrue(device.awaitActivations(1, 5000));
            assertEquals(0, peer.acked(VhostUserRequest.RESET_DEVICE, FrontEnd.none()));
            assertEquals(1, device.resets.get());
            assertEquals(2, peer.call(VhostUserRequest.GET_QUEUE_NUM, FrontEnd.none()).u64());
        }
    }

    @Test
    public void servesAnInheritedListeningSocket() throws Exception {
        server.close();
        Path inheritedPath = tmp.getRoot().toPath().resolve("inherited.sock");
        // As a launcher that passes --fd N: the number is handed over, the server owns it from then on.
        int number = Posix.listenUnix(inheritedPath, 1).acquire();
        server = VhostUserServer.inherit(number, device, DeviceExtension.NONE).start();
        socketPath = inheritedPath;
        assertServes();
        server.close();
        assertFalse("the inherited descriptor is closed with the server",
                new File("/proc/self/fd/" + number).exists());
        assertTrue("a socket the server did not bind stays", inheritedPath.toFile().exists());
    }

    @Test
    public void closingTheServerResetsTheDeviceAndRemovesTheSocket() throws Exception {
        try (FrontEnd peer = connect()) {
            peer.start(2);
            assertTrue(device.awaitActivations(1, 5000));
            server.close();
            assertEquals(1, device.resets.get());
            assertFalse(socketPath.toFile().exists());
            assertTrue(peer.droppedByBackend());
        }
    }
}
