package dev.neep.gpu.vga.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.neep.backend2d.Backend2d;
import dev.neep.gpu.device.DeviceConfig;
import dev.neep.gpu.device.VirtioGpu;
import dev.neep.testkit.GpuDriver;
import dev.neep.testkit.TestPattern;
import dev.neep.virtio.DeviceStatus;
import dev.neep.virtio.GuestMemories;
import dev.neep.virtio.RegionGuestMemory;
import dev.neep.virtio.driver.GuestAllocator;
import dev.neep.virtio.pci.driver.VirtioPciDriver;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The screen moving between VGA and virtio: the firmware's VBE picture is shown, to the sink
 * bound to the GPU device, until the virtio driver sets DRIVER_OK, then the real GPU (2D
 * backend) behind the same PCI function draws scanout 0 for the same sink, and a virtio reset
 * brings the VBE picture back.
 */
public class HandOverTest {
    /** Where the guest's RAM and the BARs are, for the tests that drive the function as a guest does. */
    static final long RAM = 0x10_0000;
    static final int RAM_SIZE = 32 << 20;
    static final long MMIO = 0xc000_0000L;
    private static final Duration BOUND = Duration.ofSeconds(10);

    private VirtioGpu device;
    private RegionGuestMemory memory;
    private VirtioVga vga;
    private VirtioPciDriver pci;
    private final RecordingSink sink = new RecordingSink();

    @Before
    public void start() throws Exception {
        device = VirtioGpu.create(DeviceConfig.defaults(), Backend2d.provider());
        device.addSink(sink);
        memory = GuestMemories.heap(RAM, RAM_SIZE);
        vga = new VirtioVga(device, memory, VirtioVga.Options.defaults());
        pci = VirtioPciDriver.probe(vga, MMIO);
    }

    @After
    public void stop() {
        vga.close();
        device.close();
    }

    /** What firmware does: a 32 bpp VBE mode through the MMIO BAR, a picture into the VRAM BAR. */
    private void firmwareDraws(int width, int height) {
        long dispi = pci.barBase(VirtioVga.MMIO_BAR) + VirtioVga.MMIO_DISPI;
        pci.mmioWrite(dispi + 2 * BochsVbe.INDEX_ENABLE, 2, 0);
        pci.mmioWrite(dispi + 2 * BochsVbe.INDEX_XRES, 2, width);
        pci.mmioWrite(dispi + 2 * BochsVbe.INDEX_YRES, 2, height);
        pci.mmioWrite(dispi + 2 * BochsVbe.INDEX_BPP, 2, 32);
        pci.mmioWrite(dispi + 2 * BochsVbe.INDEX_ENABLE, 2, BochsVbe.ENABLED | BochsVbe.LFB_ENABLED);
        long fb = pci.barBase(VirtioVga.VRAM_BAR);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                pci.mmioWrite(fb + 4L * (y * width + x), 4, TestPattern.xrgb(x, y, width, height) & 0xffff_ffffL);
            }
        }
    }

    private GpuDriver virtioDriver() {
        return GpuDriver.start(pci.asVirtioDevice(), memory, new GuestAllocator(RAM, RAM_SIZE),
                GpuDriver.Options.defaults());
    }

    @Test
    public void vgaShowsTheFirmwarePictureBeforeTheDriverLoads() throws Exception {
        firmwareDraws(160, 100);
        vga.refresh();
        assertTrue(vga.vgaActive());
        assertEquals(List.of("scanout 0 160x100 resource 0", "frame 0 0,0 160x100"), sink.awaitCalls(2, BOUND));
        assertEquals(Optional.empty(), TestPattern.compare(sink.picture(0), 160, 160, 100));
        assertEquals(0, sink.scanouts.get(0).resourceId());
    }

    @Test
    public void driverOkStopsVgaAndTheGpuScanoutReachesTheSink() throws Exception {
        firmwareDraws(160, 100);
        vga.refresh();
        sink.awaitCalls(2, BOUND);

        GpuDriver gpu = virtioDriver();
        try {
            assertFalse("DRIVER_OK hands the screen over", vga.vgaActive());
            assertEquals(List.of("scanout 0 off"), sink.awaitCalls(1, BOUND));

            // Firmware-style writes after the hand-over no longer reach the sink.
            vga.barWrite(VirtioVga.VRAM_BAR, 0, 4, 0x00ff_ffff);
            vga.refresh();

            int framesBefore = sink.frames(0);
            GpuDriver.PatternResource drawn = gpu.drawPattern(320, 200);
            int[] picture = sink.awaitResourceFrame(0, 0, framesBefore, BOUND);
            assertEquals(drawn.resourceId(), sink.scanouts.get(0).resourceId());
            assertEquals("nothing of VGA between the hand-over and the GPU's picture",
                    "scanout 0 320x200 resource " + drawn.resourceId(), sink.takeCalls().get(0));
            assertEquals(Optional.empty(), TestPattern.compare(picture, 320, 320, 200));

            vga.refresh();
            assertEquals("VGA stays quiet while the GPU owns the screen", drawn.resourceId(),
                    sink.scanouts.get(0).resourceId());
        } finally {
            gpu.close();
        }
    }

    @Test
    public void resetGivesTheScreenBackToVga() throws Exception {
        firmwareDraws(160, 100);
        vga.refresh();
        GpuDriver gpu = virtioDriver();
        int framesBefore = sink.frames(0);
        gpu.drawPattern(320, 200);
        sink.awaitResourceFrame(0, 0, framesBefore, BOUND);
        sink.takeCalls();

        pci.setStatus(0);
        assertEquals(0, pci.status());
        assertTrue(vga.vgaActive());
        List<String> fromGpu = sink.awaitCalls(1, BOUND);
        assertEquals("the GPU's reset took its scanout off", List.of("scanout 0 off"), fromGpu);

        vga.refresh();
        assertEquals(List.of("scanout 0 160x100 resource 0", "frame 0 0,0 160x100"), sink.awaitCalls(2, BOUND));
        assertEquals(Optional.empty(), TestPattern.compare(sink.picture(0), 160, 160, 100));
        gpu.close();
    }

    @Test
    public void aRefusedQueueSetUpLeavesTheScreenWithVga() throws Exception {
        firmwareDraws(64, 64);
        vga.refresh();
        sink.awaitCalls(2, BOUND);
        assertTrue(pci.negotiate(pci.deviceFeatures() & (1L << 32)));
        pci.setupQueue(0, 100, 0x20_0000, 0x20_1000, 0x20_2000, 1);
        pci.setupQueue(1, 64, 0x20_4000, 0x20_5000, 0x20_6000, 2);
        pci.driverOk();
        assertEquals(DeviceStatus.DEVICE_NEEDS_RESET, pci.status() & DeviceStatus.DEVICE_NEEDS_RESET);
        assertTrue(vga.vgaActive());
        vga.barWrite(VirtioVga.VRAM_BAR, 0, 4, 0x00ff_0000);
        vga.refresh();
        assertEquals(List.of("frame 0 0,0 1x1"), sink.awaitCalls(1, BOUND));
    }
}
