package dev.neep.gpu.api;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.List;
import org.junit.Test;

public class DisplaySinkTest {

    @Test
    public void aSinkIsForEveryDeviceUnlessItNamesSome() {
        assertTrue(DisplaySink.isFor(null, "left"));
        assertTrue(DisplaySink.isFor("left", "left"));
        assertFalse(DisplaySink.isFor("right", "left"));
        assertTrue(DisplaySink.isFor(new String[] {"right", "left"}, "left"));
        assertFalse(DisplaySink.isFor(List.of("right"), "left"));
    }
}
