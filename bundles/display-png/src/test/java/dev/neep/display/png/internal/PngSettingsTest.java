package dev.neep.display.png.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.neep.config.support.TypedConfiguration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class PngSettingsTest {
    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private static PngSettings settings(Map<String, ?> properties) {
        return PngSettings.from(TypedConfiguration.read(PngDisplayConfig.class, properties));
    }

    @Test
    public void absentPropertiesTakeDefaults() {
        PngSettings s = settings(Map.of("component.name", "x"));
        assertEquals(Path.of(System.getProperty("java.io.tmpdir"), "neep-png"), s.directory());
        assertEquals(500, s.minIntervalMs());
        assertEquals(100, s.keep());
        assertEquals(s, settings(Map.of("directory", "", "min_interval_ms", " ")));
    }

    @Test
    public void valuesAreTakenAsGiven() {
        PngSettings s = settings(Map.of("directory", "/var/tmp/shots", "min_interval_ms", 0L));
        assertEquals(Path.of("/var/tmp/shots"), s.directory());
        assertEquals(0, s.minIntervalMs());
        assertEquals(250, settings(Map.of("min_interval_ms", "250")).minIntervalMs());
        assertEquals(40, settings(Map.of("min_interval_ms", 40)).minIntervalMs());
    }

    @Test
    public void keepIsTakenAsGivenAndANegativeOneRefused() {
        assertEquals(0, settings(Map.of("keep", 0)).keep());
        assertEquals(7, settings(Map.of("keep", "7")).keep());
        refused(Map.of("keep", -1), "keep", "-1");
        refused(Map.of("keep", "all"), "keep", "all");
    }

    @Test
    public void negativeIntervalIsRefusedNamingPropertyAndValue() {
        refused(Map.of("min_interval_ms", -1L), "min_interval_ms", "-1");
    }

    @Test
    public void nonNumericIntervalIsRefusedNamingPropertyAndValue() {
        refused(Map.of("min_interval_ms", "fast"), "min_interval_ms", "fast");
        refused(Map.of("min_interval_ms", 2.5d), "min_interval_ms", "2.5");
    }

    @Test
    public void unusablePathIsRefusedNamingPropertyAndValue() {
        refused(Map.of("directory", "bad\0path"), "directory", "bad\0path");
        refused(Map.of("directory", 42), "directory", "42");
    }

    @Test
    public void directoryThatIsAFileIsRefusedNamingPropertyAndValue() throws IOException {
        Path file = tmp.newFile("not-a-dir").toPath();
        try {
            PngSnapshots.start(settings(Map.of("directory", file.toString())));
            fail("started on a file");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("directory=" + file));
        }
        assertTrue(Files.isRegularFile(file));
    }

    private static void refused(Map<String, ?> properties, String property, String value) {
        try {
            settings(properties);
            fail("accepted " + properties);
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains(property));
            assertTrue(e.getMessage(), e.getMessage().contains(value));
            assertTrue(e.getMessage(), e.getMessage().startsWith(PngDisplayConfig.PID));
        }
    }
}
