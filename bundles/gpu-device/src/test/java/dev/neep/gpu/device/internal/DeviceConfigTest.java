package dev.neep.gpu.device.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.neep.gpu.api.BackendConfig;
import dev.neep.gpu.protocol.CapsetIds;
import java.util.List;
import java.util.Map;
import org.junit.Test;

/** Every configuration value is checked once, and a bad one is refused naming the property and the value. */
public class DeviceConfigTest {

    private static DeviceConfig config(int maxOutputs, int xres, int yres, long hostmem, String capsets, String wsi,
            String wayland, String backend) {
        return new DeviceConfig(maxOutputs, xres, yres, true, hostmem, capsets, wsi, wayland, backend);
    }

    private static void refused(String property, String value, Runnable build) {
        try {
            build.run();
            fail(property + "=" + value + " was accepted");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains(property + "=" + value));
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
        assertEquals("surfaceless", c.wsi());
        assertEquals("2d", c.backend());
        assertEquals(0, c.capsetMask());
    }

    @Test
    public void maxOutputsOutside1To16IsRefused() {
        refused("max_outputs", "0", () -> config(0, 1024, 768, 1, "", "", "", ""));
        refused("max_outputs", "17", () -> config(17, 1024, 768, 1, "", "", "", ""));
        config(16, 1024, 768, 1, "", "", "", "");
    }

    @Test
    public void resolutionOutside16To4095IsRefused() {
        refused("xres", "15", () -> config(1, 15, 768, 1, "", "", "", ""));
        refused("yres", "4096", () -> config(1, 1024, 4096, 1, "", "", "", ""));
    }

    @Test
    public void maxHostmemMustBePositive() {
        refused("max_hostmem", "0", () -> config(1, 1024, 768, 0, "", "", "", ""));
    }

    @Test
    public void wsiOtherThanSurfacelessOrHeadlessIsRefused() {
        refused("wsi", "x11", () -> config(1, 1024, 768, 1, "", "x11", "", ""));
        assertTrue(config(1, 1024, 768, 1, "", "headless", "", "").headless());
    }

    @Test
    public void unknownCapsetNameIsRefused() {
        refused("capset_names", "virgl:vulkan", () -> config(1, 1024, 768, 1, "virgl:vulkan", "", "", ""));
        refused("capset_names", "virgl::venus", () -> config(1, 1024, 768, 1, "virgl::venus", "", "", ""));
    }

    @Test
    public void capsetNamesMapToRutabagasMask() {
        DeviceConfig c = config(1, 1024, 768, 1, "gfxstream-vulkan:cross-domain", "", "", "rutabaga");
        assertEquals((1L << CapsetIds.GFXSTREAM_VULKAN) | (1L << CapsetIds.CROSS_DOMAIN), c.capsetMask());
        assertEquals(6, config(1, 1024, 768, 1, "virgl:virgl2", "", "", "virgl").capsetMask());
    }

    @Test
    public void unknownBackendIsRefused() {
        refused("backend", "vulkan", () -> config(1, 1024, 768, 1, "", "", "", "vulkan"));
    }

    @Test
    public void virglWithoutCapsetNamesOffersVirglAndVirgl2() {
        assertEquals((1L << CapsetIds.VIRGL) | (1L << CapsetIds.VIRGL2),
                config(1, 1024, 768, 1, "", "", "", "virgl").capsetMask());
        assertEquals(1L << CapsetIds.VIRGL, config(1, 1024, 768, 1, "virgl", "", "", "virgl").capsetMask());
    }

    @Test
    public void twoDAndRutabagaWithoutCapsetNamesAskForNone() {
        assertEquals(0, config(1, 1024, 768, 1, "", "", "", "2d").capsetMask());
        assertEquals(0, config(1, 1024, 768, 1, "", "", "", "rutabaga").capsetMask());
    }

    @Test
    public void backendSettingsArePassedAsWrittenByQemusNames() {
        DeviceConfig c = new DeviceConfig(1, 1024, 768, true, 1, "cross-domain", "headless", "relative/sock",
                "rutabaga", List.of("gfxstream-vulkan"));
        assertEquals(new BackendConfig(1L << CapsetIds.CROSS_DOMAIN, "headless", Map.of("capset_names", "cross-domain",
                "wayland_socket_path", "relative/sock", "gfxstream-vulkan", "on")), c.backendConfig());
    }

    @Test
    public void waylandSocketPathIsTheBackendsToCheck() {
        // no autodetection, no length rule here: the rutabaga backend owns both
        String path = "/" + "x".repeat(200);
        DeviceConfig c = config(1, 1024, 768, 1, "cross-domain", "", path, "rutabaga");
        assertEquals(path, c.backendConfig().properties().get("wayland_socket_path"));
        assertEquals(Map.of("capset_names", "cross-domain"),
                config(1, 1024, 768, 1, "cross-domain", "", "", "rutabaga").backendConfig().properties());
    }

    @Test
    public void capsetSwitchesAreRefusedWithAnyBackendButRutabaga() {
        refused("cross-domain", "on", () -> new DeviceConfig(1, 1024, 768, true, 1, "", "", "", "virgl",
                List.of("cross-domain")));
        refused("venus", "on", () -> new DeviceConfig(1, 1024, 768, true, 1, "", "", "", "rutabaga",
                List.of("venus")));
    }

    @Test
    public void propertiesAreReadFromNumbersBooleansAndCfgStrings() {
        DeviceConfig typed = DeviceConfig.fromProperties(Map.of("max_outputs", 2, "xres", 800, "yres", 600L,
                "edid", false, "max_hostmem", 1L << 20, "backend", "rutabaga", "cross-domain", true));
        DeviceConfig strings = DeviceConfig.fromProperties(Map.of("max_outputs", "2", "xres", " 800", "yres", "600",
                "edid", "false", "max_hostmem", "1048576", "backend", "rutabaga", "cross-domain", "on"));
        DeviceConfig expected = new DeviceConfig(2, 800, 600, false, 1 << 20, "", "surfaceless", "", "rutabaga",
                List.of("cross-domain"));
        assertEquals(expected, typed);
        assertEquals(expected, strings);
        assertEquals(DeviceConfig.defaults(), DeviceConfig.fromProperties(Map.of("service.pid", "dev.neep.gpu",
                "xres", "", "backend.target", "(neep.backend=2d)")));
        assertEquals(3, DeviceConfig.fromProperties(Map.of("max_outputs", new Integer[] {3})).maxOutputs());
    }

    @Test
    public void unreadableValuesAreRefusedNamingPropertyAndValue() {
        refused("xres", "wide", () -> DeviceConfig.fromProperties(Map.of("xres", "wide")));
        refused("max_outputs", "4294967297", () -> DeviceConfig.fromProperties(Map.of("max_outputs", 4294967297L)));
        refused("edid", "maybe", () -> DeviceConfig.fromProperties(Map.of("edid", "maybe")));
        refused("xres", "1.5", () -> DeviceConfig.fromProperties(Map.of("xres", 1.5)));
        refused("yres", "[1, 2]", () -> DeviceConfig.fromProperties(Map.of("yres", List.of(1, 2))));
        refused("max_outputs", "17", () -> DeviceConfig.fromProperties(Map.of("max_outputs", 17)));
    }

    @Test
    public void shapeAndBackendSettingsAreToldApart() {
        DeviceConfig base = DeviceConfig.defaults();
        assertTrue(base.sameShape(base.withBackend("virgl", "")));
        assertFalse(base.sameBackendSettings(base.withBackend("virgl", "")));
        assertFalse(base.withBackend("virgl", "").sameBackendSettings(base.withBackend("virgl", "virgl")));
        assertTrue(base.sameBackendSettings(base.withMaxOutputs(2).withEdid(false)));
        assertFalse(base.sameShape(base.withMaxHostmem(1)));
        assertFalse(base.sameBackendSettings(base.withWsi("headless")));
        DeviceConfig mixed = base.withBackend("virgl", "virgl2").withShapeOf(base.withMaxOutputs(4));
        assertEquals(4, mixed.maxOutputs());
        assertEquals("virgl2", mixed.capsetNames());
    }
}
