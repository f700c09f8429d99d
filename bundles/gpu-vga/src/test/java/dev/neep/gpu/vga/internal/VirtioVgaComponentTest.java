package dev.neep.gpu.vga.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import dev.neep.config.support.ConfigurationRefused;
import dev.neep.config.support.TypedConfiguration;
import dev.neep.gpu.device.DeviceConfig;
import dev.neep.gpu.device.VirtioGpu;
import dev.neep.virtio.GuestMemories;
import dev.neep.virtio.pci.PciRegs;
import java.util.Map;
import org.junit.Test;

/** The DS shell passes through to the function built from its configuration. */
public class VirtioVgaComponentTest {

    private static Map<String, Object> config(int vramMb) {
        return Map.of("vram_size_mb", vramMb, "vram_direct", true, "subsystem_vendor_id", 0x1234,
                "subsystem_id", 0x5678);
    }

    private static VirtioVga.Options options(Map<String, Object> properties) {
        return VirtioVgaSettings.from(TypedConfiguration.read(VirtioVgaConfig.class, properties));
    }

    @Test
    public void componentShowsAVgaFunctionWithTheConfiguredVramAndSubsystem() {
        try (VirtioGpu device = VirtioGpu.create(DeviceConfig.defaults())) {
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
        assertThrows(ConfigurationRefused.class, () -> options(config(12)));
        assertThrows(ConfigurationRefused.class, () -> options(config(0)));
        ConfigurationRefused e = assertThrows(ConfigurationRefused.class, () -> options(config(2048)));
        assertEquals("dev.neep.gpu.vga: vram_size_mb=2048: must be a power of two from 1 to 1024", e.getMessage());
        assertEquals(VirtioVga.Options.defaults(), options(Map.of()));
    }
}
