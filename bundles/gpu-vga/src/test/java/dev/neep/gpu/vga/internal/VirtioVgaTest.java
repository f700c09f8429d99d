package dev.neep.gpu.vga.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.api.Pixels;
import dev.neep.gpu.api.Scanout;
import dev.neep.gpu.api.ScanoutId;
import dev.neep.gpu.device.DeviceConfig;
import dev.neep.gpu.device.VirtioGpu;
import dev.neep.gpu.protocol.Rect;
import dev.neep.gpu.vga.VgaPorts;
import dev.neep.testkit.TestPattern;
import dev.neep.virtio.GuestMemories;
import dev.neep.virtio.pci.PciBar;
import dev.neep.virtio.pci.PciRegs;
import dev.neep.virtio.pci.driver.VirtioPciDriver;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.After;
import org.junit.Test;

/**
 * The VGA side through the function's own doors: I/O ports, the MMIO BAR, the VRAM BAR and the
 * display tick, whose pictures reach the sinks bound to the GPU device, on their own threads.
 */
public class VirtioVgaTest {
    private static final Duration BOUND = Duration.ofSeconds(10);
    private final VirtioGpu device = VirtioGpu.create(DeviceConfig.defaults());
    private final VirtioVga vga = new VirtioVga(device, GuestMemories.heap(0x10_0000, 1 << 20),
            VirtioVga.Options.defaults());
    private final RecordingSink sink = new RecordingSink();

    @After
    public void stop() {
        vga.close();
        device.close();
    }

    /** The next {@code n} calls the sink gets: the device calls it on a thread of its own. */
    private List<String> calls(int n) throws InterruptedException {
        return sink.awaitCalls(n, BOUND);
    }

    private void out(int port, int value) {
        vga.ioWrite(port, 2, value);
    }

    private void setMode(int width, int height, int bpp) {
        out(VgaPorts.VBE_DISPI_INDEX_PORT, BochsVbe.INDEX_ENABLE);
        out(VgaPorts.VBE_DISPI_DATA_PORT, 0);
        out(VgaPorts.VBE_DISPI_INDEX_PORT, BochsVbe.INDEX_XRES);
        out(VgaPorts.VBE_DISPI_DATA_PORT, width);
        out(VgaPorts.VBE_DISPI_INDEX_PORT, BochsVbe.INDEX_YRES);
        out(VgaPorts.VBE_DISPI_DATA_PORT, height);
        out(VgaPorts.VBE_DISPI_INDEX_PORT, BochsVbe.INDEX_BPP);
        out(VgaPorts.VBE_DISPI_DATA_PORT, bpp);
        out(VgaPorts.VBE_DISPI_INDEX_PORT, BochsVbe.INDEX_ENABLE);
        out(VgaPorts.VBE_DISPI_DATA_PORT, BochsVbe.ENABLED | BochsVbe.LFB_ENABLED);
    }

    private void drawPattern32(int width, int height) {
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                vga.barWrite(VirtioVga.VRAM_BAR, 4L * (y * width + x), 4, TestPattern.xrgb(x, y, width, height));
            }
        }
    }

    @Test
    public void functionLooksLikeQemusVirtioVga() {
        assertEquals(0x1af4, vga.configRead(PciRegs.VENDOR_ID, 2));
        assertEquals(0x1050, vga.configRead(PciRegs.DEVICE_ID, 2));
        assertEquals("class code VGA", 0x030000, vga.configRead(PciRegs.REVISION_ID, 4) >>> 8);
        List<PciBar> bars = vga.bars();
        assertEquals(List.of(0, 1, 2, 4), bars.stream().map(PciBar::index).toList());
        assertEquals(new PciBar(0, 16 << 20, false, true), bars.get(0));
        assertEquals(new PciBar(2, 0x1000, false, false), bars.get(2));
    }

    @Test
    public void aPciDriverPlacesEveryBarAndFindsTheVirtioRegions() {
        VirtioPciDriver pci = VirtioPciDriver.probe(vga, 0xc000_0000L);
        assertEquals(16 << 20, pci.barSize(VirtioVga.VRAM_BAR));
        assertEquals(0x1000, pci.barSize(VirtioVga.MMIO_BAR));
        assertEquals(pci.barBase(VirtioVga.VRAM_BAR), vga.barAddress(VirtioVga.VRAM_BAR));
        assertEquals(pci.barBase(VirtioVga.MMIO_BAR), vga.barAddress(VirtioVga.MMIO_BAR));
        assertEquals("the VRAM BAR keeps its prefetchable flag", PciRegs.BAR_MEM_PREFETCH,
                vga.configRead(PciRegs.BAR0, 4) & PciRegs.BAR_FLAG_BITS);
        assertEquals(16, pci.virtioDeviceId());
        assertEquals(2, pci.numQueues());
        assertTrue(vga.memoryEnabled());
    }

    @Test
    public void mmioBarMirrorsTheDispiRegisters() {
        out(VgaPorts.VBE_DISPI_INDEX_PORT, BochsVbe.INDEX_XRES);
        out(VgaPorts.VBE_DISPI_DATA_PORT, 800);
        assertEquals(800, vga.barRead(VirtioVga.MMIO_BAR, VirtioVga.MMIO_DISPI + 2 * BochsVbe.INDEX_XRES, 2));
        vga.barWrite(VirtioVga.MMIO_BAR, VirtioVga.MMIO_DISPI + 2 * BochsVbe.INDEX_YRES, 2, 600);
        out(VgaPorts.VBE_DISPI_INDEX_PORT, BochsVbe.INDEX_YRES);
        assertEquals(600, vga.ioRead(VgaPorts.VBE_DISPI_DATA_PORT, 2));
        assertEquals("the alternative data port is the same register", 600,
                vga.ioRead(VgaPorts.VBE_DISPI_DATA_PORT_ALT, 2));
        assertEquals("a 32-bit read covers XRES and YRES", 600L << 16 | 800,
                vga.barRead(VirtioVga.MMIO_BAR, VirtioVga.MMIO_DISPI + 2 * BochsVbe.INDEX_XRES, 4));
        vga.barWrite(VirtioVga.MMIO_BAR, VirtioVga.MMIO_DISPI + 2 * BochsVbe.INDEX_XRES + 1, 1, 0x04);
        assertEquals("a byte write merges into the register", 0x420,
                vga.barRead(VirtioVga.MMIO_BAR, VirtioVga.MMIO_DISPI + 2 * BochsVbe.INDEX_XRES, 2));
        assertEquals(0xb0c5, vga.barRead(VirtioVga.MMIO_BAR, VirtioVga.MMIO_DISPI, 2));
    }

    @Test
    public void qemuExtendedRegistersAnnounceALittleEndianFramebuffer() {
        assertEquals(8, vga.barRead(VirtioVga.MMIO_BAR, VirtioVga.MMIO_QEXT, 4));
        assertEquals(0x1e1e_1e1eL, vga.barRead(VirtioVga.MMIO_BAR, VirtioVga.MMIO_QEXT + 4, 4));
        vga.barWrite(VirtioVga.MMIO_BAR, VirtioVga.MMIO_QEXT + 4, 4, 0xbebe_bebeL);
        assertEquals("big endian is refused", 0x1e1e_1e1eL,
                vga.barRead(VirtioVga.MMIO_BAR, VirtioVga.MMIO_QEXT + 4, 4));
    }

    @Test
    public void portsOtherThanDispiAreNotDecoded() {
        assertTrue(vga.decodes(0x1ce));
        assertTrue(vga.decodes(0x1cf));
        assertEquals(false, vga.decodes(0x3c0));
        assertEquals(0xffff, vga.ioRead(0x3c0, 2));
        assertThrows(IllegalArgumentException.class, () -> vga.ioRead(0x1ce, 3));
    }

    @Test
    public void vramAccessOutsideTheBarReadsZeroAndWritesNothing() {
        vga.barWrite(VirtioVga.VRAM_BAR, (16 << 20) - 2, 4, 0xffff_ffffL);
        assertEquals(0, vga.barRead(VirtioVga.VRAM_BAR, (16 << 20) - 2, 4));
        assertEquals(0, vga.barRead(VirtioVga.VRAM_BAR, (16 << 20) - 2, 2));
    }

    @Test
    public void thirtyTwoBppModeDrawnThroughTheBarReachesTheSinkPixelExact() throws Exception {
        device.addSink(sink);
        setMode(320, 200, 32);
        drawPattern32(320, 200);
        vga.refresh();
        assertEquals(List.of("scanout 0 320x200 resource 0", "frame 0 0,0 320x200"), calls(2));
        Scanout s = sink.scanouts.get(0);
        assertEquals(dev.neep.gpu.protocol.Formats.B8G8R8X8_UNORM, s.format());
        assertEquals(Optional.empty(), TestPattern.compare(sink.picture(0), 320, 320, 200));
    }

    @Test
    public void onlyTheChangedRectangleIsSentAndNothingWhenNothingChanged() throws Exception {
        device.addSink(sink);
        setMode(320, 200, 32);
        vga.refresh();
        calls(2);
        vga.refresh();
        vga.barWrite(VirtioVga.VRAM_BAR, 4L * (20 * 320 + 10), 4, 0x00ff_0000);
        vga.barWrite(VirtioVga.VRAM_BAR, 4L * (22 * 320 + 14), 4, 0x0000_ff00);
        vga.refresh();
        assertEquals("the refresh with nothing changed sent nothing before it", List.of("frame 0 10,20 5x3"),
                calls(1));
        assertEquals(0xffff_0000, sink.picture(0)[20 * 320 + 10]);
        assertEquals(0xff00_ff00, sink.picture(0)[22 * 320 + 14]);
    }

    @Test
    public void sixteenBppIsWidenedToB8G8R8X8() throws Exception {
        device.addSink(sink);
        setMode(8, 2, 16);
        int[] rgb565 = {0xf800, 0x07e0, 0x001f, 0xffff, 0x0000, 0x8410, 0x0821, 0x7bef};
        for (int x = 0; x < rgb565.length; x++) {
            vga.barWrite(VirtioVga.VRAM_BAR, 2L * x, 2, rgb565[x]);
        }
        vga.refresh();
        calls(2);
        int[] row = new int[8];
        System.arraycopy(sink.picture(0), 0, row, 0, 8);
        assertArrayEquals(new int[] {0xffff0000, 0xff00ff00, 0xff0000ff, 0xffffffff, 0xff000000, 0xff848284,
            0xff080408, 0xff7b7d7b}, row);
        assertEquals(dev.neep.gpu.protocol.Formats.B8G8R8X8_UNORM, sink.scanouts.get(0).format());
    }

    @Test
    public void fifteenAndTwentyFourBppAreWidenedToo() throws Exception {
        device.addSink(sink);
        setMode(2, 1, 15);
        vga.barWrite(VirtioVga.VRAM_BAR, 0, 4, 0x03e0L << 16 | 0x7c00);
        vga.refresh();
        calls(2);
        assertEquals(0xffff0000, sink.picture(0)[0]);
        assertEquals(0xff00ff00, sink.picture(0)[1]);
        setMode(2, 1, 24);
        vga.barWrite(VirtioVga.VRAM_BAR, 0, 4, 0x56_123456L);
        vga.barWrite(VirtioVga.VRAM_BAR, 4, 2, 0x7834);
        vga.refresh();
        assertEquals("the same size: a new picture, no new geometry", List.of("frame 0 0,0 2x1"), calls(1));
        assertEquals(0xff123456, sink.picture(0)[0]);
        assertEquals(0xff783456, sink.picture(0)[1]);
    }

    @Test
    public void panningShowsAnotherPartOfTheVram() throws Exception {
        device.addSink(sink);
        setMode(320, 200, 32);
        vga.barWrite(VirtioVga.VRAM_BAR, 4L * 320 * 209, 4, 0x0000_00ff);
        vga.refresh();
        out(VgaPorts.VBE_DISPI_INDEX_PORT, BochsVbe.INDEX_Y_OFFSET);
        out(VgaPorts.VBE_DISPI_DATA_PORT, 10);
        calls(2);
        vga.refresh();
        assertEquals("a new start is a new picture of the same size: the whole frame goes out",
                List.of("frame 0 0,0 320x200"), calls(1));
        assertEquals(0xff00_00ff, sink.picture(0)[200 * 320 - 320]);
    }

    @Test
    public void disablingVbeTakesTheScanoutOff() throws Exception {
        device.addSink(sink);
        setMode(64, 64, 32);
        vga.refresh();
        out(VgaPorts.VBE_DISPI_INDEX_PORT, BochsVbe.INDEX_ENABLE);
        out(VgaPorts.VBE_DISPI_DATA_PORT, 0);
        calls(2);
        vga.refresh();
        vga.refresh();
        assertEquals(List.of("scanout 0 off"), calls(1));
        setMode(32, 32, 32);
        vga.refresh();
        assertEquals("one withdrawal, then the next picture", List.of("scanout 0 32x32 resource 0",
                "frame 0 0,0 32x32"), calls(2));
    }

    @Test
    public void unsupportedDepthShowsNothing() throws Exception {
        device.addSink(sink);
        setMode(64, 64, 8);
        vga.refresh();
        setMode(32, 32, 32);
        vga.refresh();
        assertEquals("nothing of the 8 bpp mode before the 32 bpp one", List.of("scanout 0 32x32 resource 0",
                "frame 0 0,0 32x32"), calls(2));
    }

    @Test
    public void aSinkBoundLateGetsTheScanoutAndAFullFrameAtOnce() throws Exception {
        setMode(320, 200, 32);
        drawPattern32(320, 200);
        vga.refresh();
        device.addSink(sink);
        assertEquals(List.of("scanout 0 320x200 resource 0", "frame 0 0,0 320x200"), calls(2));
        assertEquals(Optional.empty(), TestPattern.compare(sink.picture(0), 320, 320, 200));
        device.removeSink(sink);
        vga.barWrite(VirtioVga.VRAM_BAR, 0, 4, 0);
        vga.refresh();
        assertEquals("the device has handed the update on", 0, device.sinkCount());
        assertEquals(List.of(), sink.takeCalls());
    }

    @Test
    public void aSinkThatThrowsDisturbsNeitherTheDisplayNorOtherSinks() throws Exception {
        device.addSink(new DisplaySink() {
            @Override
            public void scanoutChanged(ScanoutId id, Scanout scanout) {
                throw new IllegalStateException("broken sink");
            }

            @Override
            public void frameUpdated(ScanoutId id, Rect dirty, Pixels pixels) {
                throw new IllegalStateException("broken sink");
            }
        });
        device.addSink(sink);
        setMode(32, 32, 32);
        vga.refresh();
        assertEquals(List.of("scanout 0 32x32 resource 0", "frame 0 0,0 32x32"), calls(2));
    }

    @Test
    public void functionResetDisablesVbeAndUnplacesTheBars() throws Exception {
        VirtioPciDriver.probe(vga, 0xc000_0000L);
        device.addSink(sink);
        setMode(32, 32, 32);
        vga.refresh();
        calls(2);
        vga.reset();
        assertEquals(0, vga.barAddress(VirtioVga.VRAM_BAR));
        assertEquals(0, vga.barAddress(VirtioVga.MMIO_BAR));
        vga.refresh();
        assertEquals(List.of("scanout 0 off"), calls(1));
    }

    @Test
    public void aDeviceThatIsNotAGpuIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new VirtioVga(otherDevice(1),
                GuestMemories.heap(0, 1 << 20), VirtioVga.Options.defaults()));
    }

    @Test
    public void aGpuThatTakesNoVgaPictureIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new VirtioVga(
                otherDevice(VirtioVga.VIRTIO_DEVICE_ID_GPU), GuestMemories.heap(0, 1 << 20),
                VirtioVga.Options.defaults()));
        assertTrue(e.getMessage(), e.getMessage().contains("takes no VGA picture"));
    }

    /** A virtio device of id {@code id} that is not neep's GPU device. */
    private static dev.neep.virtio.VirtioDevice otherDevice(int id) {
        return new dev.neep.virtio.VirtioDevice() {
            @Override
            public int deviceId() {
                return id;
            }

            @Override
            public long deviceFeatures() {
                return 0;
            }

            @Override
            public int queueCount() {
                return 1;
            }

            @Override
            public int maxQueueSize(int queueIndex) {
                return 16;
            }

            @Override
            public int configSize() {
                return 0;
            }

            @Override
            public void readConfig(int offset, byte[] dst) {
            }

            @Override
            public void writeConfig(int offset, byte[] src) {
            }

            @Override
            public void activate(long f, dev.neep.virtio.GuestMemory m, List<dev.neep.virtio.Virtqueue> q,
                    dev.neep.virtio.Interrupts i) {
            }

            @Override
            public void queueNotify(int queueIndex) {
            }

            @Override
            public void reset() {
            }
        };
    }
}
