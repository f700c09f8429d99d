package dev.neep.vhostuser.gpu.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;

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
        assertEquals("dev.neep.vhostuser: socket_path=: set exactly one of socket_path and fd (fd=-1)",
                assertThrows(ConfigurationRefused.class, () -> settings(Map.of())).getMessage());
        assertEquals("dev.neep.vhostuser: socket_path=/tmp/s: set exactly one of socket_path and fd (fd=3)",
                assertThrows(ConfigurationRefused.class, () -> settings(Map.of("socket_path", "/tmp/s", "fd", 3)))
                        .getMessage());
    }

    @Test
    public void aNegativeDescriptorOtherThanNoneIsRefused() {
        assertEquals("dev.neep.vhostuser: fd=-2: must be a descriptor number, or -1 for none",
                assertThrows(ConfigurationRefused.class, () -> settings(Map.of("fd", -2))).getMessage());
        assertEquals("dev.neep.vhostuser: fd=three: is not a whole number",
                assertThrows(ConfigurationRefused.class, () -> settings(Map.of("fd", "three"))).getMessage());
    }
}
