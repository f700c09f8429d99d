package dev.neep.itests;

import static org.junit.Assert.assertEquals;

import java.util.Map;
import java.util.Optional;

import org.osgi.framework.ServiceRegistration;

import dev.neep.gpu.device.GpuDeviceInfo;
import dev.neep.gpu.protocol.CtrlHdr;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.runtime.status.RuntimeReport.Status;
import dev.neep.testkit.GpuDriver;
import dev.neep.virtio.GuestMemories;
import dev.neep.virtio.GuestMemory;
import dev.neep.virtio.RegionGuestMemory;
import dev.neep.virtio.driver.GuestAllocator;
import dev.neep.virtio.pci.JavaSharedMemoryBar;
import dev.neep.virtio.pci.PciFunction;
import dev.neep.virtio.pci.SharedMemoryBar;
import dev.neep.virtio.pci.driver.VirtioPciDriver;

/**
 * An in-process guest of virtio-gpu-pci with a host-visible region, for the host blob tests: the
 * device configured with a backend kind and {@code hostmem}, the VMM's side registered (its guest
 * memory and a {@link JavaSharedMemoryBar}), the PCI function probed and the testkit's GPU driver
 * on top of it. Closing unplugs it all.
 */
final class HostVisiblePciGuest implements AutoCloseable {
    static final long HOSTMEM = 1 << 20;
    private static final long BASE = 0x100000;
    private static final int MEMORY = 8 << 20;
    private static final long MMIO = 0xe000_0000L;

    final JavaSharedMemoryBar bar = new JavaSharedMemoryBar();
    final GpuDeviceInfo info;
    final VirtioPciDriver pci;
    final GpuDriver driver;
    private final ServiceRegistration<SharedMemoryBar> barRegistration;
    private final ServiceRegistration<GuestMemory> memoryRegistration;

    /** Configures the device of {@code test}'s framework on backend {@code kind} and plugs a guest in. */
    HostVisiblePciGuest(NeepTestSupport test, String kind) throws Exception {
        test.configure(NeepTestSupport.DEVICE_PID, Map.of("backend", kind, "hostmem", HOSTMEM));
        test.awaitConfigured(NeepTestSupport.DEVICE_COMPONENT, Map.of("hostmem", HOSTMEM));
        test.awaitComponent(NeepTestSupport.DEVICE_COMPONENT, Status.ACTIVE);
        info = test.awaitService(GpuDeviceInfo.class, null);
        test.await("the " + kind + " backend open", () -> Optional.of(info.backendKind()).filter(kind::equals));
        RegionGuestMemory memory = GuestMemories.direct(BASE, MEMORY);
        barRegistration = test.context.registerService(SharedMemoryBar.class, bar, null);
        memoryRegistration = test.context.registerService(GuestMemory.class, memory, null);
        pci = VirtioPciDriver.probe(test.awaitService(PciFunction.class, null), MMIO);
        driver = GpuDriver.start(pci.asVirtioDevice(), memory, new GuestAllocator(BASE, MEMORY),
                GpuDriver.Options.defaults());
    }

    /** Nothing mapped in the BAR or the device's region, no resource, no host memory charged. */
    void assertNothingLeft() {
        assertEquals(0, bar.mappings());
        assertEquals(0, info.hostVisibleMappings());
        assertEquals(0, info.hostVisibleRegionUsed());
        assertEquals(0, info.resourceCount());
        assertEquals(0, info.hostMemoryUsed());
    }

    static void ok(CtrlHdr answer) {
        assertEquals(CtrlType.name(answer.type()), CtrlType.RESP_OK_NODATA, answer.type());
    }

    @Override
    public void close() {
        driver.close();
        memoryRegistration.unregister();
        barRegistration.unregister();
    }
}
