package dev.neep.gpu.device;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.neep.config.support.ConfigurationRefused;
import org.junit.Test;

/** Every device setting is checked once, and a bad one is refused naming the PID, the property and the value. */
public class DeviceConfigTest {

    private static DeviceConfig config(int maxOutputs, int xres, int yres, long hostmem) {
        return new DeviceConfig(maxOutputs, xres, yres, true, hostmem);
    }

    private static void refused(String property, String value, Runnable build) {
        try {
            build.run();
            fail(property + "=" + value + " was accepted");
        } catch (ConfigurationRefused e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith(DeviceConfig.PID + ": " + property + "=" + value + ": "));
        }
    }

    @Test
    public void defaultsAreQemus() {
        DeviceConfig c = DeviceConfig.defaults();
        assertEquals(1, c.maxOutputs());
        assertEquals(1024, c.xres());
        assertEquals(768, c.yres());
        assertTrue(c.edid());
        assertEquals(256L << 20, c.maxHostmem());
    }

    @Test
    public void maxOutputsOutside1To16IsRefused() {
        refused("max_outputs", "0", () -> config(0, 1024, 768, 1));
        refused("max_outputs", "17", () -> config(17, 1024, 768, 1));
        config(16, 1024, 768, 1);
    }

    @Test
    public void resolutionOutside16To4095IsRefused() {
        refused("xres", "15", () -> config(1, 15, 768, 1));
        refused("yres", "4096", () -> config(1, 1024, 4096, 1));
    }

    @Test
    public void maxHostmemMustBePositive() {
        refused("max_hostmem", "0", () -> config(1, 1024, 768, 0));
    }
}
