package dev.neep.display.web.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.neep.config.support.TypedConfiguration;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.Test;

public class WebSettingsTest {

    private static WebSettings settings(Map<String, ?> properties) {
        return WebSettings.from(TypedConfiguration.read(WebDisplayConfig.class, properties));
    }

    @Test
    public void absentPropertiesTakeDefaultsOnLoopback() throws Exception {
        WebSettings s = settings(Map.of("component.name", "x"));
        assertEquals("127.0.0.1", s.host());
        assertTrue(s.address().isLoopbackAddress());
        assertEquals(8077, s.port());
        assertEquals(100, s.minIntervalMs());
        assertEquals(s, settings(Map.of("host", " ", "port", "", "min_interval_ms", " ")));
    }

    @Test
    public void valuesAreTakenAsGiven() throws Exception {
        WebSettings s = settings(Map.of("host", "localhost", "port", 0, "min_interval_ms", 0L));
        assertEquals("localhost", s.host());
        assertEquals(0, s.port());
        assertEquals(0, s.minIntervalMs());
        assertEquals(InetAddress.getByName("::1"), settings(Map.of("host", "::1")).address());
        assertEquals(InetAddress.getByName("::1"), settings(Map.of("host", "[::1]")).address());
        assertEquals(9000, settings(Map.of("port", "9000")).port());
        assertEquals(65535, settings(Map.of("port", 65535L)).port());
        assertTrue(settings(Map.of("host", "0.0.0.0")).address().isAnyLocalAddress());
    }

    @Test
    public void portOutOfRangeIsRefusedNamingPropertyAndValue() {
        refused(Map.of("port", 70000), "port", "70000");
        refused(Map.of("port", -1L), "port", "-1");
        refused(Map.of("port", "65536"), "port", "65536");
    }

    @Test
    public void nonNumericPortIsRefusedNamingPropertyAndValue() {
        refused(Map.of("port", "http"), "port", "http");
        refused(Map.of("port", 80.5d), "port", "80.5");
    }

    @Test
    public void malformedHostIsRefusedNamingPropertyAndValue() {
        refused(Map.of("host", "not a host"), "host", "not a host");
        refused(Map.of("host", "-dash.example"), "host", "-dash.example");
        refused(Map.of("host", "http://127.0.0.1"), "host", "http://127.0.0.1");
        refused(Map.of("host", 127), "host", "127");
    }

    @Test
    public void negativeIntervalIsRefusedNamingPropertyAndValue() {
        refused(Map.of("min_interval_ms", -5L), "min_interval_ms", "-5");
        refused(Map.of("min_interval_ms", "soon"), "min_interval_ms", "soon");
    }

    @Test
    public void portInUseIsRefusedNamingHostAndPort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            try {
                WebViewer.start(settings(Map.of("host", "127.0.0.1", "port", port))).close();
                fail("started on a port in use");
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().startsWith(WebDisplayConfig.PID));
                assertTrue(e.getMessage(), e.getMessage().contains("host=127.0.0.1"));
                assertTrue(e.getMessage(), e.getMessage().contains("port=" + port));
            }
        }
    }

    private static void refused(Map<String, ?> properties, String property, String value) {
        try {
            settings(properties);
            fail("accepted " + properties);
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith(WebDisplayConfig.PID));
            assertTrue(e.getMessage(), e.getMessage().contains(property + "=" + value));
        }
    }
}
