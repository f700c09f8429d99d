package dev.neep.gpu.device.internal.osgi;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.neep.config.support.ConfigurationRefused;
import dev.neep.gpu.device.DeviceConfig;
import java.util.List;
import java.util.Map;
import org.junit.Test;

/** How the component reads PID dev.neep.gpu: ConfigAdmin's typed values and a .cfg file's strings alike. */
public class GpuDeviceConfigTest {

    private static void refused(String property, String value, Map<String, ?> properties) {
        try {
            GpuDeviceComponent.deviceConfig(properties);
            fail(property + "=" + value + " was accepted");
        } catch (ConfigurationRefused e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith(GpuDeviceConfig.PID + ": " + property + "=" + value));
        }
    }

    @Test
    public void propertiesAreReadFromNumbersBooleansAndCfgStrings() {
        DeviceConfig typed = GpuDeviceComponent.deviceConfig(Map.of("max_outputs", 2, "xres", 800, "yres", 600L,
                "edid", false, "max_hostmem", 1L << 20, "backend", "rutabaga"));
        DeviceConfig strings = GpuDeviceComponent.deviceConfig(Map.of("max_outputs", "2", "xres", " 800",
                "yres", "600", "edid", "off", "max_hostmem", "1048576", "backend", "rutabaga"));
        DeviceConfig expected = new DeviceConfig(2, 800, 600, false, 1 << 20);
        assertEquals(expected, typed);
        assertEquals(expected, strings);
        assertEquals(DeviceConfig.defaults(), GpuDeviceComponent.deviceConfig(Map.of("service.pid", "dev.neep.gpu",
                "xres", "", "backend.target", "(neep.backend=2d)")));
        assertEquals(3, GpuDeviceComponent.deviceConfig(Map.of("max_outputs", new Integer[] {3})).maxOutputs());
    }

    @Test
    public void unreadableValuesAreRefusedNamingPropertyAndValue() {
        refused("xres", "wide", Map.of("xres", "wide"));
        refused("max_outputs", "4294967297", Map.of("max_outputs", 4294967297L));
        refused("edid", "maybe", Map.of("edid", "maybe"));
        refused("xres", "1.5", Map.of("xres", 1.5));
        refused("yres", "[1, 2]", Map.of("yres", List.of(1, 2)));
        refused("max_outputs", "17", Map.of("max_outputs", 17));
    }

    @Test
    public void backendSettingsAreNotTheDevicesAndAreRefusedHere() {
        // left over from before they moved to the backend's own configuration, dev.neep.backend.<kind>
        refused("capset_names", "virgl", Map.of("capset_names", "virgl"));
        refused("wsi", "headless", Map.of("wsi", "headless"));
    }
}
