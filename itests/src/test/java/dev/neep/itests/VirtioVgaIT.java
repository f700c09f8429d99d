package dev.neep.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;

import java.time.Duration;
import java.util.Map;

import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.ServiceRegistration;

import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.api.ScanoutId;
import dev.neep.gpu.vga.VgaDisplay;
import dev.neep.gpu.vga.VgaPorts;
import dev.neep.testkit.GpuDriver;
import dev.neep.testkit.RecordingSink;
import dev.neep.testkit.TestPattern;
import dev.neep.virtio.GuestMemories;
import dev.neep.virtio.GuestMemory;
import dev.neep.virtio.RegionGuestMemory;
import dev.neep.virtio.driver.GuestAllocator;
import dev.neep.virtio.pci.PciFunction;
import dev.neep.virtio.pci.driver.VirtioPciDriver;

/**
 * virtio-vga in Felix, as DS wires it: configured, it binds the GPU device's service (which is
 * its {@code VgaScanout} too) and the VMM's guest memory, and binds no sink itself. The firmware's
 * VBE picture reaches a sink registered as a service, which only the device binds; DRIVER_OK
 * takes it off, and the GPU's own picture follows on the same scanout.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class VirtioVgaIT extends NeepTestSupport {

    private static final String VGA_PID = "dev.neep.gpu.vga";
    private static final String VGA_FILTER = "(pci.class.code=196608)";
    private static final long BASE = 0x100000;
    private static final int MEMORY = 8 << 20;
    private static final long MMIO = 0xe000_0000L;
    private static final Duration BOUND = Duration.ofMillis(TIMEOUT_MS);
    private static final ScanoutId SCANOUT_0 = new ScanoutId(ScanoutId.DEFAULT_DEVICE, 0);
    // Bochs VBE (DISPI) registers and ENABLE bits.
    private static final int XRES = 1;
    private static final int YRES = 2;
    private static final int BPP = 3;
    private static final int ENABLE = 4;
    private static final int ENABLED_WITH_LFB = 0x41;

    private ServiceRegistration<GuestMemory> memoryRegistration;
    private ServiceRegistration<DisplaySink> sinkRegistration;

    @After
    public void unplug() {
        if (sinkRegistration != null) {
            sinkRegistration.unregister();
        }
        if (memoryRegistration != null) {
            memoryRegistration.unregister();
        }
    }

    @Test
    public void theFirmwarePictureReachesTheDevicesSinksUntilTheDriverTakesOver() throws Exception {
        RecordingSink sink = new RecordingSink();
        sinkRegistration = context.registerService(DisplaySink.class, sink, null);
        RegionGuestMemory memory = GuestMemories.heap(BASE, MEMORY);
        memoryRegistration = context.registerService(GuestMemory.class, memory, null);
        configure(VGA_PID, Map.of("vram_size_mb", 16));
        VgaPorts ports = awaitService(VgaPorts.class, null);
        VgaDisplay display = awaitService(VgaDisplay.class, null);
        PciFunction function = awaitService(PciFunction.class, VGA_FILTER);

        int w = 160;
        int h = 100;
        dispi(ports, XRES, w);
        dispi(ports, YRES, h);
        dispi(ports, BPP, 32);
        dispi(ports, ENABLE, ENABLED_WITH_LFB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                function.barWrite(0, 4L * (y * w + x), 4, TestPattern.xrgb(x, y, w, h) & 0xffff_ffffL);
            }
        }
        display.refresh();
        sink.awaitPattern(0, w, h, BOUND);
        assertEquals("a VGA picture", 0, sink.scanout(SCANOUT_0).orElseThrow().resourceId());

        VirtioPciDriver pci = VirtioPciDriver.probe(function, MMIO);
        GpuDriver driver = GpuDriver.start(pci.asVirtioDevice(), memory, new GuestAllocator(BASE, MEMORY),
                GpuDriver.Options.defaults());
        try {
            driver.drawPattern(320, 200);
            sink.awaitPattern(0, 320, 200, BOUND);
            assertNotEquals("the GPU's own resource", 0, sink.scanout(SCANOUT_0).orElseThrow().resourceId());
        } finally {
            driver.close();
        }
    }

    private static void dispi(VgaPorts ports, int index, int value) {
        ports.ioWrite(VgaPorts.VBE_DISPI_INDEX_PORT, 2, index);
        ports.ioWrite(VgaPorts.VBE_DISPI_DATA_PORT, 2, value);
    }
}
