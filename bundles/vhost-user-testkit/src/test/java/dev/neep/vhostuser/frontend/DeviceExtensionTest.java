package dev.neep.vhostuser.frontend;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import dev.neep.vhostuser.BackendChannel;
import dev.neep.vhostuser.DeviceExtension;
import dev.neep.vhostuser.DeviceSession;
import dev.neep.vhostuser.FrontEndMessage;
import dev.neep.vhostuser.VhostUserServer;
import dev.neep.vhostuser.protocol.MessageHeader;
import dev.neep.vhostuser.protocol.ProtocolException;
import dev.neep.vhostuser.protocol.ProtocolFeatures;
import dev.neep.vhostuser.protocol.VhostUserRequest;
import dev.neep.vhostuser.sys.Fd;
import dev.neep.vhostuser.sys.Posix;
import dev.neep.vhostuser.sys.UnixSocket;

/**
 * The contract of {@link DeviceExtension} as a device type sees it: its own request with a
 * descriptor reaches its session, is acknowledged, and the descriptor is the session's; the
 * back-end channel reaches the front end; the session is closed when the front end leaves;
 * a malformed device request drops the front end like a generic one.
 */
public class DeviceExtensionTest {

    /** A device-specific request id, as GPU_SET_SOCKET is one. */
    private static final int OWN_REQUEST = 33;
    /** A back-end request id the test's device sends. */
    private static final int OWN_BACKEND_REQUEST = 77;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private volatile BackendChannel backend;
    private VhostUserServer server;
    private Path socketPath;

    /** Takes the descriptor of {@link #OWN_REQUEST}, writes to it, and reports what happened. */
    private final DeviceExtension extension = channel -> {
        backend = channel;
        return new DeviceSession() {
            @Override
            public boolean handle(FrontEndMessage message) throws ProtocolException, IOException {
                if (message.request() != OWN_REQUEST) {
                    return false;
                }
                message.expect(0, 1);
                try (Fd fd = message.takeFd()) {
                    UnixSocket socket = new UnixSocket(fd, "test channel");
                    socket.send(ByteBuffer.allocateDirect(4).putInt(0, 42));
                }
                events.add("handled");
                return true;
            }

            @Override
            public void close() {
                events.add("closed");
            }
        };
    };

    @Before
    public void startServer() throws IOException {
        assumeTrue("native access: " + Posix.unavailableReason(), Posix.unavailableReason() == null);
        socketPath = tmp.getRoot().toPath().resolve("ext.sock");
        server = VhostUserServer.listen(socketPath, new EchoDevice(), extension).start();
    }

    @After
    public void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    public void deviceRequestReachesTheSessionWithItsDescriptorAndIsAcknowledged() throws Exception {
        try (FrontEnd peer = new FrontEnd(socketPath)) {
            peer.negotiate(ProtocolFeatures.OFFERED);
            Fd[] pair = Posix.socketPair("test channel");
            peer.keep(pair[1]);
            try (Fd ours = pair[0]) {
                assertEquals(0, peer.acked(OWN_REQUEST, FrontEnd.none(), ours));
            }
            assertEquals("handled", events.poll(5, TimeUnit.SECONDS));
            UnixSocket other = new UnixSocket(pair[1], "front end's end");
            ByteBuffer got = ByteBuffer.allocateDirect(4);
            assertTrue(other.receiveFully(got, new ArrayList<>()));
            assertEquals("written by the session through the descriptor it took", 42, got.getInt(0));
        }
        assertEquals("closed", events.poll(5, TimeUnit.SECONDS));
    }

    @Test
    public void malformedDeviceRequestDropsTheFrontEnd() throws Exception {
        try (FrontEnd peer = new FrontEnd(socketPath)) {
            peer.negotiate(ProtocolFeatures.OFFERED);
            peer.send(OWN_REQUEST, MessageHeader.VERSION | MessageHeader.NEED_REPLY, FrontEnd.none());
            assertEquals("refused, then dropped", 1, peer.receive().u64());
            assertTrue(peer.droppedByBackend());
        }
        assertEquals("closed", events.poll(5, TimeUnit.SECONDS));
    }

    @Test
    public void backendChannelReachesTheFrontEnd() throws Exception {
        try (FrontEnd peer = new FrontEnd(socketPath)) {
            peer.negotiate(ProtocolFeatures.OFFERED);
            assertEquals(2, peer.call(VhostUserRequest.GET_QUEUE_NUM, FrontEnd.none()).u64());
            BackendChannel channel = backend;
            assertFalse("no channel given yet", channel.send(OWN_BACKEND_REQUEST, ByteBuffer.allocate(0)));

            Fd[] pair = Posix.socketPair("back-end channel");
            peer.keep(pair[1]);
            try (Fd ours = pair[0]) {
                assertEquals(0, peer.acked(VhostUserRequest.SET_BACKEND_REQ_FD, FrontEnd.none(), ours));
            }
            ByteBuffer payload = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 7);
            assertTrue(channel.send(OWN_BACKEND_REQUEST, payload));

            UnixSocket frontEndSide = new UnixSocket(pair[1], "front end's end");
            ByteBuffer header = ByteBuffer.allocateDirect(MessageHeader.SIZE).order(ByteOrder.LITTLE_ENDIAN);
            assertTrue(frontEndSide.receiveFully(header, new ArrayList<>()));
            MessageHeader h = MessageHeader.decode(header.flip());
            assertEquals(new MessageHeader(OWN_BACKEND_REQUEST, MessageHeader.VERSION, 8), h);
            ByteBuffer body = ByteBuffer.allocateDirect(8).order(ByteOrder.LITTLE_ENDIAN);
            assertTrue(frontEndSide.receiveFully(body, new ArrayList<>()));
            assertEquals(7, body.getLong(0));
        }
    }
}
