package dev.neep.gpu.vga.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import dev.neep.gpu.device.internal.DeviceConfig;
import dev.neep.gpu.device.internal.GpuDevice;
import dev.neep.virtio.GuestMemories;
import dev.neep.virtio.pci.PciRegs;
import java.lang.annotation.Annotation;
import org.junit.Test;

/** The DS shell passes through to the function built from its configuration. */
public class VirtioVgaComponentTest {

    private static VirtioVgaConfig config(int vramMb) {
        return new VirtioVgaConfig() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return VirtioVgaConfig.class;
            }

            @Override
            public int vram__size__mb() {
                return vramMb;
            }

            @Override
            public boolean vram__direct() {
                return true;
            }

            @Override
            public int subsystem__vendor__id() {
                return 0x1234;
            }

            @Override
            public int subsystem__id() {
                return 0x5678;
            }
        };
    }

    @Test
    public void componentShowsAVgaFunctionWithTheConfiguredVramAndSubsystem() {
        try (GpuDevice device = new GpuDevice(DeviceConfig.defaults())) {
            VirtioVgaComponent component = new VirtioVgaComponent(device, GuestMemories.heap(0, 1 << 20), config(8));
            assertEquals(0x030000, component.configRead(PciRegs.REVISION_ID, 4) >>> 8);
            assertEquals(0x1234, component.configRead(PciRegs.SUBSYSTEM_VENDOR_ID, 2));
            assertEquals(0x5678, component.configRead(PciRegs.SUBSYSTEM_ID, 2));
            assertEquals(8 << 20, component.bars().get(0).size());
            component.ioWrite(0x1ce, 2, BochsVbe.INDEX_VIDEO_MEMORY_64K);
            assertEquals(128, component.ioRead(0x1cf, 2));
            component.deactivate();
        }
    }

    @Test
    public void vramSizeThatIsNotAPowerOfTwoIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> VirtioVgaComponent.options(config(12)));
        assertThrows(IllegalArgumentException.class, () -> VirtioVgaComponent.options(config(0)));
        assertThrows(IllegalArgumentException.class, () -> VirtioVgaComponent.options(config(2048)));
    }
}
