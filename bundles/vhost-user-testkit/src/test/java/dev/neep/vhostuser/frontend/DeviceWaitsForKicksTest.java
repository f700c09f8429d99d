package dev.neep.vhostuser.frontend;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import dev.neep.vhostuser.DeviceExtension;
import dev.neep.vhostuser.VhostUserServer;
import dev.neep.vhostuser.sys.Posix;

/**
 * A device that takes the session's notification source gets every kick on its own thread,
 * and no kick thread runs; when the front end leaves the source closes, the device's wait
 * ends, and the next front end's source is offered and served the same way. A device that
 * does not take it gets kicks from the transport's kick thread.
 */
public class DeviceWaitsForKicksTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path socketPath;
    private VhostUserServer server;
    private Set<String> baselineFds;

    @Before
    public void nativeAccess() {
        assumeTrue("native access: " + Posix.unavailableReason(), Posix.unavailableReason() == null);
        socketPath = tmp.getRoot().toPath().resolve("vu.sock");
    }

    @After
    public void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private void serve(EchoDevice device) throws IOException {
        server = VhostUserServer.listen(socketPath, device, DeviceExtension.NONE).start();
        baselineFds = OpenFds.now();
    }

    @Test
    public void kicksReachTheDevicesOwnThreadAndTheNextFrontEndsToo() throws Exception {
        EchoDevice device = new EchoDevice(true);
        serve(device);
        for (int session = 1; session <= 2; session++) {
            try (FrontEnd peer = new FrontEnd(socketPath)) {
                peer.start(2);
                assertTrue(device.awaitActivations(session, 5000));
                assertEquals("cba", EchoDevice.roundTrip(peer, 0, "abc"));
                assertEquals("zyx", EchoDevice.roundTrip(peer, 1, "xyz"));
            }
            assertTrue(device.awaitResets(session, 5000));
            Thread waiter = device.waiters.get(session - 1);
            waiter.join(5000);
            assertFalse("session " + session + ": the device's wait did not end with its front end "
                    + java.util.Arrays.toString(waiter.getStackTrace()), waiter.isAlive());
        }
        // Besides its own thread, only the control thread's notification at activation reaches the device.
        assertTrue(device.notifiedOn.toString(), device.notifiedOn.contains("echo-device"));
        assertFalse(device.notifiedOn.toString(), device.notifiedOn.contains("neep-vhost-user-kicks"));
        OpenFds.assertReleasedSince(baselineFds);
    }

    @Test
    public void aDeviceThatDoesNotTakeTheSourceGetsKicksFromTheKickThread() throws Exception {
        EchoDevice device = new EchoDevice(false);
        serve(device);
        try (FrontEnd peer = new FrontEnd(socketPath)) {
            peer.start(2);
            assertTrue(device.awaitActivations(1, 5000));
            assertEquals("cba", EchoDevice.roundTrip(peer, 0, "abc"));
        }
        assertTrue(device.waiters.isEmpty());
        assertTrue(device.notifiedOn.toString(), device.notifiedOn.contains("neep-vhost-user-kicks"));
        assertFalse(device.notifiedOn.contains("echo-device"));
    }
}
