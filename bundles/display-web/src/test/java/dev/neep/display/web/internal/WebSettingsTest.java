package dev.neep.display.web.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.neep.config.support.TypedConfiguration;
import java.util.Map;
import org.junit.Test;

public class WebSettingsTest {

    private static WebSettings settings(Map<String, ?> properties) {
        return WebSettings.from(TypedConfiguration.read(WebDisplayConfig.class, properties));
    }

    @Test
    public void absentPropertiesTakeDefaults() throws Exception {
        WebSettings s = settings(Map.of("component.name", "x"));
        assertEquals("localhost", s.host());
        assertEquals(100, s.minIntervalMs());
        assertEquals(s, settings(Map.of("host", " ", "min_interval_ms", " ")));
    }

    @Test
    public void valuesAreTakenAsGiven() throws Exception {
        WebSettings s = settings(Map.of("host", "viewer.example", "min_interval_ms", 0L));
        assertEquals("viewer.example", s.host());
        assertEquals(0, s.minIntervalMs());
        assertEquals("[::1]", settings(Map.of("host", "[::1]")).host());
    }

    @Test
    public void portIsTheHttpServicesNotAPropertyHere() {
        refused(Map.of("port", 8077), "port", "8077");
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
