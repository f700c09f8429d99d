package dev.neep.display.window.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.neep.config.support.TypedConfiguration;
import java.util.Map;
import org.junit.Test;

public class WindowSettingsTest {

    private static WindowSettings settings(Map<String, ?> properties) {
        return WindowSettings.from(TypedConfiguration.read(WindowDisplayConfig.class, properties));
    }

    @Test
    public void absentPropertiesTakeDefaults() {
        assertEquals(new WindowSettings("neep", 1.0), settings(Map.of("component.name", "x")));
        assertEquals(new WindowSettings("neep", 1.0), settings(Map.of("title", " ", "scale", "")));
    }

    @Test
    public void valuesAreTakenAsGiven() {
        assertEquals(new WindowSettings("guest one", 2.0), settings(Map.of("title", "guest one", "scale", 2.0d)));
        assertEquals(0.5, settings(Map.of("scale", "0.5")).scale(), 0);
        assertEquals(3.0, settings(Map.of("scale", 3)).scale(), 0);
        assertEquals(1.5, settings(Map.of("scale", 1.5f)).scale(), 0);
    }

    @Test
    public void scaleOutOfRangeIsRefusedNamingPropertyAndValue() {
        refused(Map.of("scale", 0d), "scale", "0.0");
        refused(Map.of("scale", -2), "scale", "-2");
        refused(Map.of("scale", "100"), "scale", "100");
        refused(Map.of("scale", Double.NaN), "scale", "NaN");
    }

    @Test
    public void nonNumericScaleIsRefusedNamingPropertyAndValue() {
        refused(Map.of("scale", "big"), "scale", "big");
        refused(Map.of("scale", true), "scale", "true");
    }

    @Test
    public void nonStringTitleIsRefusedNamingPropertyAndValue() {
        refused(Map.of("title", 7), "title", "7");
    }

    private static void refused(Map<String, ?> properties, String property, String value) {
        try {
            settings(properties);
            fail("accepted " + properties);
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith(WindowDisplayConfig.PID));
            assertTrue(e.getMessage(), e.getMessage().contains(property + "=" + value));
        }
    }
}
