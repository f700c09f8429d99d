package dev.neep.vhostuser.gpu.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import dev.neep.backend2d.Backend2d;
import dev.neep.gpu.device.DeviceConfig;
import dev.neep.gpu.device.VirtioGpu;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.DisplayOne;
import dev.neep.gpu.protocol.GetDisplayInfo;
import dev.neep.gpu.protocol.Rect;
import dev.neep.gpu.protocol.RespDisplayInfo;
import dev.neep.testkit.GpuDriver;
import dev.neep.testkit.GpuDriver.PatternResource;
import dev.neep.testkit.GpuTimeoutException;
import dev.neep.testkit.PendingCommand;
import dev.neep.vhostuser.frontend.FrontEnd;
import dev.neep.vhostuser.sys.Posix;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The real virtio-gpu device with the pure-Java 2D backend behind the vhost-user server.
 * The testkit's guest driver talks to it through a front end made of {@link FrontEnd}
 * (so every command crosses the socket, the memfd and the eventfds), and a fake QEMU
 * display on the GPU_SET_SOCKET channel rebuilds the screen from SCANOUT and UPDATE
 * messages, which must then equal the test pattern pixel for pixel.
 *
 * <p>The geometry is the front end's, as QEMU's C back end takes it: the device keeps its
 * default 1024x768, every front end here shows another size, and the guest's GET_DISPLAY_INFO
 * and GET_EDID are answered over the display channel, also when the channel answers only after
 * the guest has asked (the order a real QEMU gives).
 */
public class GpuDeviceOverVhostUserTest {

    private static final int W = 320;
    private static final int H = 200;
    private static final long RAM = 16 << 20;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private VirtioGpu device;
    private ServedGpu served;

    @Before
    public void start() throws Exception {
        assumeTrue("native access: " + Posix.unavailableReason(), Posix.unavailableReason() == null);
        device = VirtioGpu.create(DeviceConfig.defaults(), Backend2d.provider());
        served = ServedGpu.serve(tmp.getRoot().toPath(), device);
    }

    @After
    public void stop() {
        ServedGpu.close(served, device);
    }

    @Test
    public void guestFrameReachesTheFrontEndDisplayPixelExact() throws Exception {
        try (RemoteGpu gpu = new RemoteGpu(new FrontEnd(served.socket, RAM), W, H)) {
            GpuDriver driver = gpu.startDriver();
            assertEquals(W, driver.getDisplayInfo().pmodes().get(0).r().width());
            driver.drawPattern(W, H);
            gpu.display.awaitPattern(W, H);
            assertTrue("one SCANOUT at least", gpu.display.scanouts > 0);
        }
    }

    @Test
    public void afterTheFrontEndIsKilledTheNextOneDrawsAgain() throws Exception {
        RemoteGpu first = new RemoteGpu(new FrontEnd(served.socket, RAM), W, H);
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
        try (RemoteGpu second = new RemoteGpu(new FrontEnd(served.socket, RAM), W, H)) {
            second.startDriver().drawPattern(W, H);
            second.display.awaitPattern(W, H);
        }
    }

    private static DisplayOne mode(int width, int height) {
        return new DisplayOne(new Rect(0, 0, width, height), 1, 0);
    }

    /** A 128-byte block the device could not have made itself. */
    private static byte[] theirEdid() {
        byte[] edid = new byte[128];
        for (int i = 0; i < edid.length; i++) {
            edid[i] = (byte) (i * 7 + 3);
        }
        return edid;
    }

    @Test
    public void theGuestGetsTheFrontEndsGeometryAskedBeforeTheChannelAnswers() throws Exception {
        CountDownLatch answering = new CountDownLatch(1);
        byte[] edid = theirEdid();
        try (RemoteGpu gpu = new RemoteGpu(new FrontEnd(served.socket, RAM),
                fd -> new FakeDisplay(fd, 1280, 720, edid, answering))) {
            GpuDriver driver = gpu.startDriver();
            PendingCommand info = driver.submit(new GetDisplayInfo(driver.header(CtrlType.CMD_GET_DISPLAY_INFO, 0)));
            assertThrows(GpuTimeoutException.class, () -> info.awaitUsed(Duration.ofMillis(300)));

            answering.countDown(); // the channel's handshake, then the question waiting for it
            assertEquals(mode(1280, 720), ((RespDisplayInfo) info.await()).pmodes().get(0));
            assertFalse(((RespDisplayInfo) info.await()).pmodes().get(1).isEnabled());
            assertArrayEquals(edid, driver.getEdid(0).blob());

            driver.drawPattern(1280, 720);
            gpu.display.awaitPattern(1280, 720);
        }
    }

    @Test
    public void aResizedFrontEndGivesItsNewSizeWhenTheGuestAsksAgain() throws Exception {
        try (RemoteGpu gpu = new RemoteGpu(new FrontEnd(served.socket, RAM), 1920, 1080)) {
            GpuDriver driver = gpu.startDriver();
            assertEquals(mode(1920, 1080), driver.getDisplayInfo().pmodes().get(0));
            gpu.display.resize(800, 600);
            assertEquals(mode(800, 600), driver.getDisplayInfo().pmodes().get(0));
            // no EDID feature on this channel: the device describes the front end's mode itself
            byte[] edid = driver.getEdid(0).blob();
            assertEquals(800, (edid[56] & 0xff) | (edid[58] & 0xf0) << 4);
            assertEquals(600, (edid[59] & 0xff) | (edid[61] & 0xf0) << 4);
        }
    }

    @Test
    public void aFrontEndSizeNoOutputCanHaveGivesTheConfiguredModes() throws Exception {
        try (RemoteGpu gpu = new RemoteGpu(new FrontEnd(served.socket, RAM), 5000, 600)) {
            assertEquals(mode(1024, 768), gpu.startDriver().getDisplayInfo().pmodes().get(0));
        }
    }

    @Test
    public void withoutADisplayChannelTheConfiguredModesAnswer() throws Exception {
        try (RemoteGpu gpu = new RemoteGpu(new FrontEnd(served.socket, RAM), null)) {
            assertEquals(mode(1024, 768), gpu.startDriver().getDisplayInfo().pmodes().get(0));
        }
    }

    /**
     * The front end's display stops reading while the guest flushes 40 frames (10 MB, far more
     * than the socket holds): every flush is still answered at once, and once the display reads
     * again it ends on the last picture.
     */
    @Test
    public void flushesAreAnsweredWhileTheFrontEndsDisplayDoesNotRead() throws Exception {
        try (RemoteGpu gpu = new RemoteGpu(new FrontEnd(served.socket, RAM), W, H)) {
            GpuDriver driver = gpu.startDriver();
            PatternResource shown = driver.drawPattern(W, H);
            gpu.display.awaitPattern(W, H);
            ByteBuffer pattern = ByteBuffer.allocate(W * H * 4);
            shown.backing().read(0, pattern);
            gpu.display.pause();
            Rect all = new Rect(0, 0, W, H);
            shown.backing().write(0, ByteBuffer.allocate(W * H * 4));
            for (int i = 0; i < 40; i++) {
                if (i == 39) {
                    shown.backing().write(0, pattern.flip());
                }
                assertEquals(CtrlType.RESP_OK_NODATA, driver.transferToHost2d(shown.resourceId(), all, 0).type());
                assertEquals(CtrlType.RESP_OK_NODATA, driver.resourceFlush(shown.resourceId(), all).type());
            }
            gpu.display.resume();
            gpu.display.awaitPattern(W, H);
        }
    }

    /**
     * Pictures that wait for the display channel while the front end's display is busy each
     * reach it whole, in order, as flushed: the device holds each one while the guest writes the
     * next into the same resource. (Three wait at most before they fold: the channel is congested.)
     */
    @Test
    public void everyFlushedPictureReachesTheFrontEndWhenAFewWait() throws Exception {
        try (RemoteGpu gpu = new RemoteGpu(new FrontEnd(served.socket, RAM), W, H)) {
            GpuDriver driver = gpu.startDriver();
            PatternResource shown = driver.drawPattern(W, H);
            gpu.display.awaitPattern(W, H);
            int before = gpu.display.wholeUpdateCount();
            Rect all = new Rect(0, 0, W, H);
            int[] colours = {0xff102030, 0xff405060, 0xff708090};
            gpu.display.pause();
            for (int colour : colours) {
                ByteBuffer solid = ByteBuffer.allocate(W * H * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < W * H; i++) {
                    solid.putInt(colour);
                }
                shown.backing().write(0, solid.flip());
                assertEquals(CtrlType.RESP_OK_NODATA, driver.transferToHost2d(shown.resourceId(), all, 0).type());
                assertEquals(CtrlType.RESP_OK_NODATA, driver.resourceFlush(shown.resourceId(), all).type());
            }
            gpu.display.resume();
            assertEquals("each picture whole, in order", List.of(colours[0], colours[1], colours[2]),
                    gpu.display.awaitWholeUpdates(before, colours.length));
        }
    }
}
