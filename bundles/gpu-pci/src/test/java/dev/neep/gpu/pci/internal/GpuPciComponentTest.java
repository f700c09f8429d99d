package dev.neep.gpu.pci.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.fail;

import dev.neep.config.support.ConfigurationRefused;
import dev.neep.config.support.TypedConfiguration;
import dev.neep.gpu.device.DeviceConfig;
import dev.neep.gpu.device.VirtioGpu;
import dev.neep.virtio.GuestMemories;
import dev.neep.virtio.GuestMemory;
import dev.neep.virtio.Interrupts;
import dev.neep.virtio.VirtioDevice;
import dev.neep.virtio.Virtqueue;
import dev.neep.virtio.pci.JavaSharedMemoryBar;
import dev.neep.virtio.pci.PciBar;
import dev.neep.virtio.pci.PciRegs;
import java.util.List;
import java.util.Map;
import org.junit.Test;

/** The DS shell is a pass-through to the transport with the configured subsystem ids. */
public class GpuPciComponentTest {

    private static Map<String, Object> config(int vendor, int id) {
        return Map.of("subsystem_vendor_id", vendor, "subsystem_id", id);
    }

    @Test
    public void componentShowsTheGpuFunctionWithTheConfiguredSubsystem() {
        try (VirtioGpu device = VirtioGpu.create(DeviceConfig.defaults())) {
            GpuPciComponent component = new GpuPciComponent(device, GuestMemories.heap(0, 1 << 20), null,
                    config(0x1234, 0x5678));
            assertEquals(0x1050, component.configRead(PciRegs.DEVICE_ID, 2));
            assertEquals(0x038000, component.configRead(PciRegs.REVISION_ID, 4) >>> 8);
            assertEquals(0x1234, component.configRead(PciRegs.SUBSYSTEM_VENDOR_ID, 2));
            assertEquals(0x5678, component.configRead(PciRegs.SUBSYSTEM_ID, 2));
            assertEquals(2, component.bars().size());
            component.deactivate();
        }
    }

    @Test
    public void aVmmsSharedMemoryBarAndHostmemGiveTheHostVisibleRegionAsBarTwo() {
        try (VirtioGpu device = VirtioGpu.create(DeviceConfig.defaults().withHostmem(1 << 24))) {
            GpuPciComponent component = new GpuPciComponent(device, GuestMemories.heap(0, 1 << 20),
                    new JavaSharedMemoryBar(), config(0x1af4, 0x1100));
            assertEquals(new PciBar(2, 1 << 24, true, true), component.bars().get(1));
            component.deactivate();
        }
        try (VirtioGpu device = VirtioGpu.create(DeviceConfig.defaults())) {
            GpuPciComponent component = new GpuPciComponent(device, GuestMemories.heap(0, 1 << 20),
                    new JavaSharedMemoryBar(), config(0x1af4, 0x1100));
            assertEquals("hostmem 0: no region, no BAR", 2, component.bars().size());
            component.deactivate();
        }
    }

    @Test
    public void subsystemIdsBeyond16BitsAreRefusedNamingPropertyAndValue() {
        try {
            GpuPciSettings.from(TypedConfiguration.read(GpuPciConfig.class, config(0x10000, 0x1100)));
            fail("accepted");
        } catch (ConfigurationRefused e) {
            assertEquals("dev.neep.gpu.pci: subsystem_vendor_id=65536: must be 0..65535", e.getMessage());
        }
        assertEquals(new GpuPciSettings(0x1af4, 0x1100), GpuPciSettings.from(TypedConfiguration.read(GpuPciConfig.class,
                Map.of())));
    }

    @Test
    public void aDeviceThatIsNotAGpuIsRefused() {
        VirtioDevice net = new VirtioDevice() {
            @Override
            public int deviceId() {
                return 1;
            }

            @Override
            public long deviceFeatures() {
                return 0;
            }

            @Override
            public int queueCount() {
                return 2;
            }

            @Override
            public int maxQueueSize(int queueIndex) {
                return 256;
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
            public void activate(long driverFeatures, GuestMemory memory, List<Virtqueue> queues,
                    Interrupts interrupts) {
            }

            @Override
            public void queueNotify(int queueIndex) {
            }

            @Override
            public void reset() {
            }
        };
        assertThrows(IllegalArgumentException.class,
                () -> GpuPci.function(net, GuestMemories.heap(0, 1 << 20), null, 0x1af4, 0x1100));
    }
}
