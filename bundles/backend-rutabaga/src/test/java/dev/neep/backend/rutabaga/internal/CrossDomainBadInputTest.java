package dev.neep.backend.rutabaga.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.neep.gpu.protocol.CtrlType;
import dev.neep.testkit.crossdomain.CrossDomainClient;
import dev.neep.testkit.crossdomain.CrossDomainCommand;
import dev.neep.testkit.crossdomain.CrossDomainCommand.GetImageRequirements;
import dev.neep.testkit.crossdomain.CrossDomainSendReceive;
import dev.neep.testkit.crossdomain.WaylandMessage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import org.junit.After;
import org.junit.Test;

/**
 * A guest's mistakes on the cross-domain path, and a compositor that goes away, against the
 * real library: each gets an error answer, and the device serves on (a new cross-domain
 * context works, and the console draws pixel-exact).
 */
public class CrossDomainBadInputTest {

    private InProcessGpu gpu;
    private Weston weston;

    @After
    public void stop() {
        InProcessGpu.closeBoth(gpu, weston);
    }

    @Test
    public void malformedCommandsAreRefusedBeforeTheLibrary() throws Exception {
        gpu = InProcessGpu.crossDomain("/nonexistent/wayland-0");
        try (CrossDomainClient client = CrossDomainClient.open(gpu.driver, 4096, 4096)) {
            assertEquals("INIT without a channel", CtrlType.RESP_OK_NODATA, client.init(0).type());

            // cmd_size 0 would make the library run the POLL for ever.
            assertRefused(client, command(CrossDomainCommand.CMD_POLL, 0, 8));
            assertRefused(client, command(99, 8, 8));
            assertRefused(client, command(CrossDomainCommand.CMD_GET_IMAGE_REQUIREMENTS, 16, 16));
            assertRefused(client, command(CrossDomainCommand.CMD_POLL, 64, 8));
            assertRefused(client, ByteBuffer.allocate(5));
            ByteBuffer lying = CrossDomainSendReceive.send(new byte[8]).encode().order(ByteOrder.LITTLE_ENDIAN);
            lying.putInt(12, 4096);
            assertRefused(client, lying);

            assertEquals("the context still answers", 1280,
                    (int) client.imageRequirements(320, 240, GetImageRequirements.DRM_FORMAT_XRGB8888, 0).strides()
                            .get(0));
        }
        assertServesOn();
    }

    @Test
    public void ringsTooSmallForTheLibrarysAnswersAreRefused() throws Exception {
        gpu = InProcessGpu.crossDomain("/nonexistent/wayland-0");
        try (CrossDomainClient smallQuery = CrossDomainClient.open(gpu.driver, 32, 4096)) {
            assertEquals(CtrlType.RESP_ERR_INVALID_PARAMETER, smallQuery.init(0).type());
        }
        try (CrossDomainClient smallChannel = CrossDomainClient.open(gpu.driver, 4096, 1024)) {
            assertEquals(CtrlType.RESP_ERR_INVALID_PARAMETER,
                    smallChannel.init(CrossDomainCommand.CHANNEL_TYPE_WAYLAND).type());
        }
        try (CrossDomainClient notARing = CrossDomainClient.open(gpu.driver, 4096, 4096)) {
            assertEquals(CtrlType.RESP_ERR_INVALID_PARAMETER, notARing.submit(
                    new CrossDomainCommand.Init(4242, 4243, CrossDomainCommand.CHANNEL_TYPE_WAYLAND)).type());
        }
        assertServesOn();
    }

    @Test
    public void aChannelThatDoesNotExistIsAnError() throws Exception {
        gpu = InProcessGpu.crossDomain("/nonexistent/wayland-0");
        try (CrossDomainClient camera = CrossDomainClient.open(gpu.driver, 4096, 4096)) {
            // rutabaga knows channel type 2 (camera), but none is configured.
            assertEquals(CtrlType.RESP_ERR_INVALID_PARAMETER, camera.init(2).type());
        }
        try (CrossDomainClient noCompositor = CrossDomainClient.open(gpu.driver, 4096, 4096)) {
            assertEquals("no compositor listens on the socket", CtrlType.RESP_ERR_INVALID_PARAMETER,
                    noCompositor.init(CrossDomainCommand.CHANNEL_TYPE_WAYLAND).type());
        }
        assertServesOn();
    }

    @Test
    public void aCompositorThatGoesAwayFailsTheSendAndTheDeviceServesOn() throws Exception {
        InProcessGpu.assumeLibrary();
        weston = Weston.start(320, 240);
        gpu = InProcessGpu.crossDomain(weston.socket().toString());
        try (CrossDomainClient client = CrossDomainClient.connect(gpu.driver)) {
            new WaylandSession(client).registry();

            weston.close();
            assertTrue("weston is gone", !weston.isAlive());
            int sync = client.newObjectId();
            int answer = client.send(List.of(WaylandMessage.request(CrossDomainClient.WL_DISPLAY, 0,
                    new WaylandMessage.Args().word(sync)))).type();

            assertEquals("a SEND to a closed connection (EPIPE)", CtrlType.RESP_ERR_INVALID_PARAMETER, answer);
        }
        assertEquals("destroying the context released it", 0, gpu.tracking.liveContexts());
        assertServesOn();
    }

    private void assertRefused(CrossDomainClient client, ByteBuffer commands) {
        assertEquals(CtrlType.RESP_ERR_INVALID_PARAMETER, client.submitRaw(commands).type());
    }

    /** A header for {@code cmd} claiming {@code cmdSize}, in a buffer of {@code length} bytes. */
    private static ByteBuffer command(int cmd, int cmdSize, int length) {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) cmd).put((byte) 0).putShort((short) cmdSize);
        return b.position(0);
    }

    /** A fresh cross-domain context answers, and the console draws pixel-exact. */
    private void assertServesOn() throws Exception {
        try (CrossDomainClient fresh = CrossDomainClient.open(gpu.driver, 4096, 4096)) {
            assertEquals(CtrlType.RESP_OK_NODATA, fresh.init(0).type());
        }
        gpu.driver.drawPattern(64, 48);
        gpu.sink.awaitPattern(0, 64, 48, Duration.ofSeconds(10));
    }
}
