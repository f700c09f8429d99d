package dev.neep.backend.virgl.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.neep.config.support.ConfigurationRefused;
import dev.neep.config.support.TypedConfiguration;
import dev.neep.gpu.protocol.CapsetIds;
import java.util.List;
import java.util.Map;
import org.junit.Test;

/** PID dev.neep.backend.virgl, read and checked once, refused naming the property and the value. */
public class VirglSettingsTest {

    private static VirglSettings settings(Map<String, ?> properties) {
        return VirglSettings.from(TypedConfiguration.read(VirglBackendConfig.class, properties));
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
    public void withoutConfigurationVirglAndVirgl2AreOfferedAsByQemusVirtioGpuGl() {
        VirglSettings s = settings(Map.of());
        assertEquals(List.of(CapsetIds.VIRGL, CapsetIds.VIRGL2), s.capsets());
        assertFalse(s.headless());
        assertEquals("", s.libraryPath());
        assertEquals(s, settings(Map.of("capset_names", "", "wsi", " ")));
    }

    @Test
    public void capsetNamesChooseAmongVirglAndVirgl2() {
        assertEquals(List.of(CapsetIds.VIRGL), settings(Map.of("capset_names", "virgl")).capsets());
        assertEquals(List.of(CapsetIds.VIRGL2, CapsetIds.VIRGL),
                settings(Map.of("capset_names", "virgl2:virgl")).capsets());
    }

    @Test
    public void aCapsetTheLibraryDoesNotOfferIsRefused() {
        refused(Map.of("capset_names", "virgl:venus"), "dev.neep.backend.virgl: capset_names=virgl:venus: capset venus"
                + " is not one libvirglrenderer offers");
        refused(Map.of("capset_names", "vulkan"), "dev.neep.backend.virgl: capset_names=vulkan: unknown capset 'vulkan'");
    }

    @Test
    public void wsiIsSurfacelessOrHeadless() {
        assertTrue(settings(Map.of("wsi", "headless")).headless());
        refused(Map.of("wsi", "wayland"), "dev.neep.backend.virgl: wsi=wayland: must be surfaceless or headless");
    }

    @Test
    public void libraryPathIsTakenAsGiven() {
        assertEquals("/opt/lib/libvirglrenderer.so.1",
                settings(Map.of("library_path", "/opt/lib/libvirglrenderer.so.1")).libraryPath());
    }
}
