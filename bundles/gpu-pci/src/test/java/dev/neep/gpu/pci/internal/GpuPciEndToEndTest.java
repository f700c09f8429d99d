package dev.neep.gpu.pci.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.neep.backend2d.Backend2d;
import dev.neep.gpu.device.DeviceConfig;
import dev.neep.gpu.device.VirtioGpu;
import dev.neep.gpu.protocol.DisplayOne;
import dev.neep.gpu.protocol.GpuFeatures;
import dev.neep.gpu.protocol.RespDisplayInfo;
import dev.neep.testkit.RecordingSink;
import dev.neep.testkit.GpuDriver;
import dev.neep.virtio.DeviceStatus;
import dev.neep.virtio.GuestMemories;
import dev.neep.virtio.RegionGuestMemory;
import dev.neep.virtio.driver.GuestAllocator;
import dev.neep.virtio.pci.PciRegs;
import dev.neep.virtio.pci.VirtioPciFunction;
import dev.neep.virtio.pci.VirtioPciRegs;
import dev.neep.virtio.pci.driver.VirtioPciDriver;
import java.time.Duration;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The real virtio-gpu device with the pure-Java 2D backend behind the PCI transport, driven
 * the way a guest does: the PCI driver probes the function (capabilities, BARs, MSI-X) and the
 * testkit's GPU driver runs on top of it, so every command, kick and interrupt crosses PCI.
 */
public class GpuPciEndToEndTest {
    private static final long RAM = 0x10_0000;
    private static final int RAM_SIZE = 32 << 20;
    private static final long MMIO = 0xc000_0000L;

    private VirtioGpu device;
    private RegionGuestMemory memory;
    private VirtioPciFunction function;
    private VirtioPciDriver pci;
    private GpuDriver gpu;
    private final RecordingSink sink = new RecordingSink();

    @Before
    public void start() throws Exception {
        device = VirtioGpu.create(DeviceConfig.defaults(), Backend2d.provider());
        device.addSink(sink);
        memory = GuestMemories.heap(RAM, RAM_SIZE);
        function = GpuPci.function(device, memory, null, 0x1af4, 0x1100);
        pci = VirtioPciDriver.probe(function, MMIO);
        gpu = GpuDriver.start(pci.asVirtioDevice(), memory, new GuestAllocator(RAM, RAM_SIZE),
                GpuDriver.Options.defaults());
    }

    @After
    public void stop() {
        gpu.close();
        function.close();
        device.close();
    }

    @Test
    public void functionLooksLikeQemusVirtioGpuPci() {
        assertEquals(0x1af4, function.configRead(PciRegs.VENDOR_ID, 2));
        assertEquals(0x1050, function.configRead(PciRegs.DEVICE_ID, 2));
        assertEquals(0x038000, function.configRead(PciRegs.REVISION_ID, 4) >>> 8);
        assertEquals(2, pci.numQueues());
        assertEquals(3, pci.msixVectors());
        assertEquals(16, pci.deviceConfigLength());
    }

    @Test
    public void displayInfoIsAnsweredThroughPci() {
        RespDisplayInfo info = gpu.getDisplayInfo();
        DisplayOne first = info.pmodes().get(0);
        assertEquals(1, first.enabled());
        assertEquals(1024, first.r().width());
        assertEquals(768, first.r().height());
        assertTrue("the answer came with an MSI-X message on the control queue's vector", pci.vectorCount(1) > 0);
        assertEquals(0, pci.rejectedMessages());
        assertFalse("MSI-X, not INTx", pci.intxAsserted());
    }

    @Test
    public void configurationSpaceIsReadThroughTheDeviceCapability() {
        assertEquals(1, gpu.config().numScanouts());
        assertFalse("the 2D backend offers no 3D", gpu.hasGpuFeature(GpuFeatures.VIRGL));
    }

    @Test
    public void drawnFrameReachesTheSink() throws Exception {
        gpu.drawPattern(320, 200);
        sink.awaitPattern(0, 320, 200, Duration.ofSeconds(10));
        assertTrue(pci.vectorCount(1) >= 5);
    }

    @Test
    public void cursorQueueKicksThroughItsOwnNotifyAddress() throws Exception {
        gpu.drawPattern(64, 64);
        gpu.moveCursor(0, 10, 20);
        // The cursor queue answers on vector 2 once the device has put the chain back.
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (pci.vectorCount(2) == 0 && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        assertTrue(pci.vectorCount(2) > 0);
    }

    @Test
    public void resetThroughStatusStopsTheDevice() {
        gpu.drawPattern(64, 64);
        assertTrue(device.active());
        pci.setStatus(0);
        assertEquals(0, pci.status());
        assertFalse(device.active());
        assertEquals(0, device.resourceCount());
    }

    @Test
    public void brokenQueueSetUpSetsNeedsResetAndTheDeviceStaysIdle() {
        assertTrue(pci.negotiate(gpu.features()));
        pci.setupQueue(0, 100, 0x20_0000, 0x20_1000, 0x20_2000, 1);
        pci.setupQueue(1, 64, 0x20_4000, 0x20_5000, 0x20_6000, 2);
        pci.driverOk();
        assertEquals(DeviceStatus.DEVICE_NEEDS_RESET, pci.status() & DeviceStatus.DEVICE_NEEDS_RESET);
        assertFalse(device.active());
        assertEquals(VirtioPciRegs.ISR_CONFIG, pci.readIsr());
    }
}
