package dev.neep.vhostuser.gpu.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;


import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import dev.neep.backend2d.Backend2d;
import dev.neep.gpu.device.DeviceConfig;
import dev.neep.gpu.device.VirtioGpu;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.Rect;
import dev.neep.testkit.GpuDriver;
import dev.neep.testkit.GpuDriver.PatternResource;
import java.nio.ByteBuffer;
import dev.neep.vhostuser.frontend.FrontEnd;
import dev.neep.vhostuser.sys.Posix;

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
    private ServedGpu served;

    @Before
    public void start() throws Exception {
        assumeTrue("native access: " + Posix.unavailableReason(), Posix.unavailableReason() == null);
        device = VirtioGpu.create(new DeviceConfig(1, W, H, false, DeviceConfig.DEFAULT_MAX_HOSTMEM),
                Backend2d.provider());
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
}
