package dev.neep.vhostuser.gpu.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.neep.config.support.ConfigurationRefused;
import dev.neep.config.support.TypedConfiguration;
import java.nio.file.Path;
import java.util.Map;
import org.junit.Test;

/** PID dev.neep.vhostuser: exactly one of socket_path and fd, refused naming the property and the value. */
public class VhostUserSettingsTest {

    private static VhostUserSettings settings(Map<String, ?> properties) {
        return VhostUserSettings.from(TypedConfiguration.read(VhostUserConfig.class, properties));
    }

    private static void refused(Map<String, ?> properties, String message) {
        try {
            settings(properties);
            fail("accepted " + properties);
        } catch (ConfigurationRefused e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith(message));
        }
    }

    @Test
    public void aSocketPathOrAnInheritedDescriptor() {
        assertEquals(new VhostUserSettings(Path.of("/run/neep/gpu.sock"), -1),
                settings(Map.of("socket_path", " /run/neep/gpu.sock ")));
        VhostUserSettings inherited = settings(Map.of("fd", "3", "device.target", "(virtio.device.id=16)"));
        assertNull(inherited.socketPath());
        assertEquals(3, inherited.fd());
    }

    @Test
    public void neitherOrBothAreRefused() {
        refused(Map.of(), "dev.neep.vhostuser: socket_path=: set exactly one of socket_path and fd (fd=-1)");
        refused(Map.of("socket_path", "/tmp/s", "fd", 3),
                "dev.neep.vhostuser: socket_path=/tmp/s: set exactly one of socket_path and fd (fd=3)");
    }

    @Test
    public void aNegativeDescriptorOtherThanNoneIsRefused() {
        refused(Map.of("fd", -2), "dev.neep.vhostuser: fd=-2: must be a descriptor number, or -1 for none");
        refused(Map.of("fd", "three"), "dev.neep.vhostuser: fd=three: is not a whole number");
    }
}
