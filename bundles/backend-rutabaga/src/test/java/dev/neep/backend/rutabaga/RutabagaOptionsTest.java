package dev.neep.backend.rutabaga;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.neep.gpu.api.BackendConfig;
import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.protocol.CtrlType;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.Test;

public class RutabagaOptionsTest {

    private static final long CROSS_DOMAIN = 1L << 5;
    private static final Map<String, String> NO_ENV = Map.of();

    private static RutabagaOptions options(long mask, String wsi, Map<String, String> properties,
            Map<String, String> env) throws GpuBackendException {
        return RutabagaOptions.of(new BackendConfig(mask, wsi, properties), env);
    }

    private static GpuBackendException refused(long mask, String wsi, Map<String, String> properties,
            Map<String, String> env) {
        try {
            options(mask, wsi, properties, env).waylandSocket(CROSS_DOMAIN | mask);
        } catch (GpuBackendException e) {
            assertEquals(CtrlType.RESP_ERR_UNSPEC, e.responseType());
            return e;
        }
        throw new AssertionError("accepted " + properties + " wsi=" + wsi);
    }

    @Test
    public void colonSeparatedCapsetNamesAreKeptForTheLibraryInOrder() throws Exception {
        RutabagaOptions o = options(0, "", Map.of("capset_names", "gfxstream-vulkan:cross-domain"), NO_ENV);
        assertEquals(List.of("gfxstream-vulkan", "cross-domain"), List.copyOf(o.capsetNames().keySet()));
        assertEquals("capset_names=gfxstream-vulkan:cross-domain", o.capsetNames().get("cross-domain"));
    }

    @Test
    public void emptyNameBetweenColonsIsRefusedNamingTheProperty() {
        GpuBackendException e = refused(0, "", Map.of("capset_names", "gfxstream-vulkan::cross-domain"), NO_ENV);
        assertTrue(e.getMessage(), e.getMessage().contains("capset_names=gfxstream-vulkan::cross-domain"));
    }

    @Test
    public void upstreamBooleanPropertiesAddTheirCapsets() throws Exception {
        RutabagaOptions o = options(0, "", Map.of("gfxstream-vulkan", "on", "gfxstream-gles", "false",
                "gfxstream-composer", "yes", "cross-domain", "true"), NO_ENV);
        assertEquals(List.of("gfxstream-vulkan", "gfxstream-composer", "cross-domain"),
                List.copyOf(o.capsetNames().keySet()));
        assertEquals("cross-domain=true", o.capsetNames().get("cross-domain"));
    }

    @Test
    public void booleanAndColonFormsMergeWithoutDuplicates() throws Exception {
        RutabagaOptions o = options(1L << 3, "", Map.of("capset_names", "cross-domain", "cross-domain", "on"), NO_ENV);
        assertEquals(List.of("cross-domain"), List.copyOf(o.capsetNames().keySet()));
        assertEquals(1L << 3, o.capsetMask());
    }

    @Test
    public void booleanPropertyThatIsNotABooleanIsRefusedNamingPropertyAndValue() {
        GpuBackendException e = refused(0, "", Map.of("cross-domain", "maybe"), NO_ENV);
        assertTrue(e.getMessage(), e.getMessage().contains("cross-domain=maybe"));
    }

    @Test
    public void wsiIsSurfacelessByDefaultHeadlessOnRequestAndNothingElse() throws Exception {
        assertFalse(options(0, null, Map.of(), NO_ENV).headless());
        assertFalse(options(0, "surfaceless", Map.of(), NO_ENV).headless());
        assertTrue(options(0, "headless", Map.of(), NO_ENV).headless());
        GpuBackendException e = refused(0, "x11", Map.of(), NO_ENV);
        assertTrue(e.getMessage(), e.getMessage().contains("wsi=x11"));
    }

    @Test
    public void waylandSocketIsDerivedFromRuntimeDirAndDisplay() throws Exception {
        RutabagaOptions o = options(0, "", Map.of(), Map.of("XDG_RUNTIME_DIR", "/run/user/1000",
                "WAYLAND_DISPLAY", "wayland-1"));
        assertEquals(Optional.of("/run/user/1000/wayland-1"), o.waylandSocket(CROSS_DOMAIN));
    }

    @Test
    public void waylandDisplayDefaultsToWayland0() throws Exception {
        RutabagaOptions o = options(0, "", Map.of(), Map.of("XDG_RUNTIME_DIR", "/run/user/1000"));
        assertEquals(Optional.of("/run/user/1000/wayland-0"), o.waylandSocket(CROSS_DOMAIN));
    }

    @Test
    public void noRuntimeDirMeansNoWaylandSocket() throws Exception {
        RutabagaOptions o = options(0, "", Map.of(), Map.of("WAYLAND_DISPLAY", "wayland-1"));
        assertEquals(Optional.empty(), o.waylandSocket(CROSS_DOMAIN));
    }

    @Test
    public void configuredSocketPathIsUsedAsGiven() throws Exception {
        RutabagaOptions o = options(0, "", Map.of("wayland_socket_path", "relative/sock"),
                Map.of("XDG_RUNTIME_DIR", "/run/user/1000"));
        assertEquals(Optional.of("relative/sock"), o.waylandSocket(CROSS_DOMAIN));
    }

    @Test
    public void withoutCrossDomainNoSocketIsPassedEvenATooLongOne() throws Exception {
        RutabagaOptions o = options(0, "", Map.of("wayland_socket_path", "/" + "x".repeat(200)), NO_ENV);
        assertEquals(Optional.empty(), o.waylandSocket(1L << 3));
    }

    @Test
    public void pathOf107BytesFitsSockaddrUn() throws Exception {
        String path = "/" + "s".repeat(106);
        RutabagaOptions o = options(0, "", Map.of("wayland_socket_path", path), NO_ENV);
        assertEquals(Optional.of(path), o.waylandSocket(CROSS_DOMAIN));
    }

    @Test
    public void configuredPathOf108BytesIsAHardErrorNamingPropertyAndValue() {
        String path = "/" + "s".repeat(107);
        GpuBackendException e = refused(0, "", Map.of("wayland_socket_path", path), NO_ENV);
        assertTrue(e.getMessage(), e.getMessage().contains("wayland_socket_path=" + path));
        assertTrue(e.getMessage(), e.getMessage().contains("108"));
    }

    @Test
    public void derivedPathThatDoesNotFitIsAHardErrorSayingWhereItCameFrom() {
        String runtimeDir = "/run/" + "d".repeat(100);
        GpuBackendException e = refused(0, "", Map.of(), Map.of("XDG_RUNTIME_DIR", runtimeDir));
        assertTrue(e.getMessage(), e.getMessage().contains("wayland_socket_path=" + runtimeDir + "/wayland-0"));
        assertTrue(e.getMessage(), e.getMessage().contains("XDG_RUNTIME_DIR"));
    }

    @Test
    public void multiByteCharactersCountAsTheirUtf8Bytes() {
        String path = "/" + "é".repeat(54);
        GpuBackendException e = refused(0, "", Map.of("wayland_socket_path", path), NO_ENV);
        assertTrue(e.getMessage(), e.getMessage().contains("109 bytes"));
    }

    @Test
    public void crossDomainFromAnyFormTriggersTheCheck() {
        String path = "/" + "s".repeat(200);
        try {
            options(0, "", Map.of("wayland_socket_path", path, "cross-domain", "on"), NO_ENV).waylandSocket(CROSS_DOMAIN);
            fail("a socket path longer than sun_path was accepted");
        } catch (GpuBackendException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("rutabaga backend: wayland_socket_path=/sss"));
        }
    }
}
