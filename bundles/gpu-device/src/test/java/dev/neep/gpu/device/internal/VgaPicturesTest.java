package dev.neep.gpu.device.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.neep.backend2d.Backend2d;
import dev.neep.gpu.api.Frame;
import dev.neep.gpu.device.DeviceConfig;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.Rect;
import dev.neep.testkit.GpuDriver;
import dev.neep.virtio.GuestMemories;
import dev.neep.virtio.driver.GuestAllocator;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * Scanout 0 as virtio-vga hands it to the device ({@code VgaScanout}): shown to the device's
 * sinks while no driver is active, taken off at activation before the driver's first command,
 * dropped while the driver runs, shown again after a reset, and given in full to a late sink.
 */
public class VgaPicturesTest {
    private static final int W = 32;
    private static final int H = 16;
    private static final long BASE = 0x10_0000;
    private static final int MEMORY = 16 << 20;

    private GpuDevice device;
    private final RecordingSink sink = new RecordingSink();

    @Before
    public void start() throws Exception {
        device = new GpuDevice(DeviceConfig.defaults());
        device.useProvider(Backend2d.provider());
        sink.settleWith(device::awaitIdle);
        device.addSink(sink);
    }

    @After
    public void stop() {
        device.close();
    }

    /** A whole picture of one colour, as virtio-vga hands it over. */
    private static Frame picture(int xrgb) {
        ByteBuffer pixels = ByteBuffer.allocate(W * H * 4);
        for (int i = 0; i < W * H; i++) {
            pixels.putInt(i * 4, Integer.reverseBytes(xrgb));
        }
        return new Frame(Formats.B8G8R8X8_UNORM, W, H, W * 4, pixels.asReadOnlyBuffer());
    }

    private static int[] solid(int xrgb) {
        int[] argb = new int[W * H];
        Arrays.fill(argb, 0xff00_0000 | xrgb);
        return argb;
    }

    private GpuDriver driver() {
        return GpuDriver.start(device, GuestMemories.heap(BASE, MEMORY), new GuestAllocator(BASE, MEMORY),
                GpuDriver.Options.defaults());
    }

    @Test
    public void theVgaPictureReachesTheSinksAsResourceZeroOnScanoutZero() {
        device.showVga(picture(0x102030));
        device.updateVga(new Rect(1, 2, 3, 4), picture(0x405060));
        assertEquals(List.of("scanout 0 Scanout[resourceId=0, format=2, x=0, y=0, width=32, height=16]",
                "frame 0 Rect[x=0, y=0, width=32, height=16] 32x16", "frame 0 Rect[x=1, y=2, width=3, height=4] 32x16"),
                sink.events());
        assertArrayEquals(solid(0x405060), sink.frames().get(0));
        assertTrue("on the sink's own thread", sink.threads().stream().allMatch(t -> t.startsWith("neep-sink")));
    }

    @Test
    public void aLateSinkGetsTheVgaPictureInFull() {
        device.showVga(picture(0x102030));
        device.updateVga(new Rect(0, 0, 1, 1), picture(0x405060));
        RecordingSink late = new RecordingSink().settleWith(device::awaitIdle);
        device.addSink(late);
        assertEquals(List.of("scanout 0 Scanout[resourceId=0, format=2, x=0, y=0, width=32, height=16]",
                "frame 0 Rect[x=0, y=0, width=32, height=16] 32x16"), late.events());
        assertArrayEquals(solid(0x405060), late.frames().get(0));
    }

    @Test
    public void activationTakesTheVgaPictureOffAndTheDriverOwnsScanoutZeroUntilReset() {
        device.showVga(picture(0x102030));
        sink.events();
        GpuDriver driver = driver();
        try {
            device.updateVga(new Rect(0, 0, W, H), picture(0x405060));
            device.showVga(picture(0x708090));
            device.withdrawVga();
            assertEquals("one withdrawal, then nothing of VGA while the driver is active",
                    List.of("scanout 0 Scanout[resourceId=0, format=2, x=0, y=0, width=32, height=16]",
                            "frame 0 Rect[x=0, y=0, width=32, height=16] 32x16", "scanout 0 null"),
                    sink.events());
            device.reset();
            device.showVga(picture(0x708090));
            assertArrayEquals("after a reset VGA shows again", solid(0x708090), sink.frames().get(0));
        } finally {
            driver.close();
        }
    }

    @Test
    public void anUpdateOfAPictureTheDeviceDoesNotShowShowsItWhole() {
        device.updateVga(new Rect(0, 0, 1, 1), picture(0x405060));
        assertEquals(List.of("scanout 0 Scanout[resourceId=0, format=2, x=0, y=0, width=32, height=16]",
                "frame 0 Rect[x=0, y=0, width=32, height=16] 32x16"), sink.events());
    }

    @Test
    public void aPictureThatIsNotAWholeB8G8R8X8OneIsRefusedAtTheDoor() {
        assertThrows(IllegalArgumentException.class, () -> device.showVga(new Frame(Formats.R8G8B8A8_UNORM, W, H,
                W * 4, ByteBuffer.allocate(W * H * 4))));
        assertThrows(IllegalArgumentException.class, () -> device.showVga(new Frame(Formats.B8G8R8X8_UNORM, W, H,
                W * 4, ByteBuffer.allocate(W * H * 4 - 1))));
        assertThrows(IllegalArgumentException.class, () -> device.updateVga(new Rect(W - 1, 0, 2, 1),
                picture(0)));
        assertEquals(List.of(), sink.events());
    }
}
