package dev.neep.runtime.status.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import dev.neep.config.support.ConfigurationRefused;
import dev.neep.config.support.TypedConfiguration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.Test;

public class StatusSettingsTest {

    private static StatusSettings settings(Map<String, ?> properties) {
        return StatusSettings.from(TypedConfiguration.read(StatusConfig.class, properties));
    }

    @Test
    public void defaultsAndCfgStrings() {
        assertEquals(new StatusSettings(300, 10_000, Set.of(), false), settings(Map.of()));
        assertEquals(new StatusSettings(50, 200, Set.of("a", "b"), true),
                settings(Map.of("settle_ms", "50", "max_wait_ms", 200L, "may_wait", List.of("a", "b"),
                        "exit_on_refused", "true")));
    }

    @Test
    public void negativeTimesAreRefusedNamingPropertyAndValue() {
        ConfigurationRefused e = assertThrows(ConfigurationRefused.class, () -> settings(Map.of("settle_ms", -1)));
        assertEquals("dev.neep.runtime.status: settle_ms=-1: must be 0 or more", e.getMessage());
    }
}
