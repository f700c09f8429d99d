package dev.neep.gpu.device.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.neep.gpu.api.BackendConfig;
import dev.neep.gpu.protocol.CapsetIds;
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
    public void waylandSocketPathThatDoesNotFitASocketAddressIsRefused() {
        String path = "/" + "x".repeat(107);
        refused("wayland_socket_path", path, () -> config(1, 1024, 768, 1, "", "", path, ""));
        config(1, 1024, 768, 1, "", "", "/" + "x".repeat(106), "");
    }

    @Test
    public void crossDomainWithoutPathUsesTheWaylandDisplayOfTheEnvironment() {
        DeviceConfig c = config(1, 1024, 768, 1, "cross-domain", "", "", "rutabaga");
        BackendConfig b = c.backendConfig(Map.of("XDG_RUNTIME_DIR", "/run/user/1000", "WAYLAND_DISPLAY", "wayland-1"));
        assertEquals("/run/user/1000/wayland-1", b.properties().get("wayland_socket_path"));
        assertEquals("/run/user/1000/wayland-0",
                c.backendConfig(Map.of("XDG_RUNTIME_DIR", "/run/user/1000")).properties().get("wayland_socket_path"));
        assertEquals(Map.of(), c.backendConfig(Map.of()).properties());
    }

    @Test
    public void derivedWaylandPathThatDoesNotFitIsAHardError() {
        DeviceConfig c = config(1, 1024, 768, 1, "cross-domain", "", "", "rutabaga");
        String dir = "/" + "r".repeat(100);
        try {
            c.backendConfig(Map.of("XDG_RUNTIME_DIR", dir));
            fail("accepted");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("wayland_socket_path=" + dir + "/wayland-0"));
        }
    }

    @Test
    public void backendConfigCarriesMaskWsiAndPath() {
        DeviceConfig c = config(1, 1024, 768, 1, "virgl", "headless", "/tmp/w", "virgl");
        assertEquals(new BackendConfig(2, "headless", Map.of("wayland_socket_path", "/tmp/w")),
                c.backendConfig(Map.of()));
    }
}
