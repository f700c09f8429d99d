package dev.neep.backend.rutabaga.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.neep.config.support.ConfigurationRefused;
import dev.neep.config.support.TypedConfiguration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.Test;

/** PID dev.neep.backend.rutabaga, read as QEMU's virtio-gpu-rutabaga reads its properties, checked once. */
public class RutabagaSettingsTest {

    private static final Map<String, String> NO_ENV = Map.of();
    private static final Map<String, Object> CROSS_DOMAIN = Map.of("cross-domain", "on");

    private static RutabagaSettings settings(Map<String, ?> properties, Map<String, String> env) {
        return RutabagaSettings.from(TypedConfiguration.read(RutabagaBackendConfig.class, properties), env);
    }

    private static Map<String, Object> with(Map<String, ?> a, Map<String, ?> b) {
        Map<String, Object> all = new HashMap<>(a);
        all.putAll(b);
        return all;
    }

    private static ConfigurationRefused refused(Map<String, ?> properties, Map<String, String> env) {
        try {
            settings(properties, env);
        } catch (ConfigurationRefused e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith(RutabagaBackendConfig.PID + ": "));
            return e;
        }
        throw new AssertionError("accepted " + properties);
    }

    @Test
    public void withoutConfigurationItIsRutabagas2dComponentSurfaceless() {
        RutabagaSettings s = settings(Map.of(), NO_ENV);
        assertEquals(Map.of(), s.capsetNames());
        assertFalse(s.headless());
        assertEquals(Optional.empty(), s.waylandSocket());
        assertEquals("", s.libraryPath());
    }

    @Test
    public void colonSeparatedCapsetNamesAreKeptForTheLibraryInOrder() {
        RutabagaSettings s = settings(Map.of("capset_names", "gfxstream-vulkan:cross-domain"), NO_ENV);
        assertEquals(List.of("gfxstream-vulkan", "cross-domain"), List.copyOf(s.capsetNames().keySet()));
        assertEquals("capset_names=gfxstream-vulkan:cross-domain", s.capsetNames().get("cross-domain"));
    }

    @Test
    public void emptyNameBetweenColonsIsRefusedNamingTheProperty() {
        ConfigurationRefused e = refused(Map.of("capset_names", "gfxstream-vulkan::cross-domain"), NO_ENV);
        assertTrue(e.getMessage(), e.getMessage().contains("capset_names=gfxstream-vulkan::cross-domain"));
    }

    @Test
    public void unknownCapsetNameIsRefusedNamingPropertyAndValue() {
        ConfigurationRefused e = refused(Map.of("capset_names", "foo"), NO_ENV);
        assertTrue(e.getMessage(), e.getMessage().startsWith("dev.neep.backend.rutabaga: capset_names=foo: unknown capset"));
        e = refused(Map.of("capset_names", "cross-domain:gfxstream-vulkn"), NO_ENV);
        assertTrue(e.getMessage(), e.getMessage().contains("capset_names=cross-domain:gfxstream-vulkn"));
        assertTrue(e.getMessage(), e.getMessage().contains("'gfxstream-vulkn'"));
    }

    @Test
    public void upstreamBooleanPropertiesAddTheirCapsets() {
        RutabagaSettings s = settings(Map.of("gfxstream-vulkan", "on", "gfxstream-gles", "false",
                "gfxstream-composer", "yes", "cross-domain", "true"), NO_ENV);
        assertEquals(List.of("gfxstream-vulkan", "gfxstream-composer", "cross-domain"),
                List.copyOf(s.capsetNames().keySet()));
        assertEquals("cross-domain=on", s.capsetNames().get("cross-domain"));
    }

    @Test
    public void booleanAndColonFormsMergeWithoutDuplicates() {
        RutabagaSettings s = settings(Map.of("capset_names", "cross-domain", "cross-domain", "on"), NO_ENV);
        assertEquals(List.of("cross-domain"), List.copyOf(s.capsetNames().keySet()));
    }

    @Test
    public void booleanPropertyThatIsNotABooleanIsRefusedNamingPropertyAndValue() {
        ConfigurationRefused e = refused(Map.of("cross-domain", "maybe"), NO_ENV);
        assertTrue(e.getMessage(), e.getMessage().contains("cross-domain=maybe"));
    }

    @Test
    public void wsiIsSurfacelessByDefaultHeadlessOnRequestAndNothingElse() {
        assertFalse(settings(Map.of("wsi", ""), NO_ENV).headless());
        assertFalse(settings(Map.of("wsi", "surfaceless"), NO_ENV).headless());
        assertTrue(settings(Map.of("wsi", "headless"), NO_ENV).headless());
        ConfigurationRefused e = refused(Map.of("wsi", "x11"), NO_ENV);
        assertTrue(e.getMessage(), e.getMessage().contains("wsi=x11"));
    }

    @Test
    public void waylandSocketIsDerivedFromRuntimeDirAndDisplay() {
        RutabagaSettings s = settings(CROSS_DOMAIN, Map.of("XDG_RUNTIME_DIR", "/run/user/1000",
                "WAYLAND_DISPLAY", "wayland-1"));
        assertEquals(Optional.of("/run/user/1000/wayland-1"), s.waylandSocket());
    }

    @Test
    public void waylandDisplayDefaultsToWayland0() {
        RutabagaSettings s = settings(CROSS_DOMAIN, Map.of("XDG_RUNTIME_DIR", "/run/user/1000"));
        assertEquals(Optional.of("/run/user/1000/wayland-0"), s.waylandSocket());
    }

    @Test
    public void noRuntimeDirMeansNoWaylandSocket() {
        RutabagaSettings s = settings(CROSS_DOMAIN, Map.of("WAYLAND_DISPLAY", "wayland-1"));
        assertEquals(Optional.empty(), s.waylandSocket());
    }

    @Test
    public void configuredSocketPathIsUsedAsGiven() {
        RutabagaSettings s = settings(with(CROSS_DOMAIN, Map.of("wayland_socket_path", "relative/sock")),
                Map.of("XDG_RUNTIME_DIR", "/run/user/1000"));
        assertEquals(Optional.of("relative/sock"), s.waylandSocket());
    }

    @Test
    public void withoutCrossDomainNoSocketIsPassedEvenATooLongOne() {
        RutabagaSettings s = settings(Map.of("wayland_socket_path", "/" + "x".repeat(200), "capset_names", "drm"),
                NO_ENV);
        assertEquals(Optional.empty(), s.waylandSocket());
    }

    @Test
    public void pathOf107BytesFitsSockaddrUn() {
        String path = "/" + "s".repeat(106);
        RutabagaSettings s = settings(with(CROSS_DOMAIN, Map.of("wayland_socket_path", path)), NO_ENV);
        assertEquals(Optional.of(path), s.waylandSocket());
    }

    @Test
    public void configuredPathOf108BytesIsAHardErrorNamingPropertyAndValue() {
        String path = "/" + "s".repeat(107);
        ConfigurationRefused e = refused(with(CROSS_DOMAIN, Map.of("wayland_socket_path", path)), NO_ENV);
        assertTrue(e.getMessage(), e.getMessage().contains("wayland_socket_path=" + path));
        assertTrue(e.getMessage(), e.getMessage().contains("108"));
    }

    @Test
    public void derivedPathThatDoesNotFitIsAHardErrorSayingWhereItCameFrom() {
        String runtimeDir = "/run/" + "d".repeat(100);
        ConfigurationRefused e = refused(CROSS_DOMAIN, Map.of("XDG_RUNTIME_DIR", runtimeDir));
        assertTrue(e.getMessage(), e.getMessage().contains("wayland_socket_path=" + runtimeDir + "/wayland-0"));
        assertTrue(e.getMessage(), e.getMessage().contains("XDG_RUNTIME_DIR"));
    }

    @Test
    public void multiByteCharactersCountAsTheirUtf8Bytes() {
        String path = "/" + "é".repeat(54);
        ConfigurationRefused e = refused(with(CROSS_DOMAIN, Map.of("wayland_socket_path", path)), NO_ENV);
        assertTrue(e.getMessage(), e.getMessage().contains("109 bytes"));
    }

    @Test
    public void crossDomainFromAnyFormTriggersTheCheck() {
        String path = "/" + "s".repeat(200);
        for (Map<String, ?> asked : List.of(CROSS_DOMAIN, Map.of("capset_names", "cross-domain"))) {
            ConfigurationRefused e = refused(with(asked, Map.of("wayland_socket_path", path)), NO_ENV);
            assertTrue(e.getMessage(), e.getMessage().startsWith("dev.neep.backend.rutabaga: wayland_socket_path=/sss"));
        }
    }
}
