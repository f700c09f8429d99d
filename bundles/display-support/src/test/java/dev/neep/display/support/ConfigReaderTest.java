package dev.neep.display.support;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.fail;

import java.util.Map;
import org.junit.Test;

public class ConfigReaderTest {
    private static final String PID = "dev.neep.test";

    @Test
    public void absentOrBlankValuesTakeTheDefault() {
        ConfigReader config = new ConfigReader(PID, Map.of("blank", " ", "empty", ""));
        for (String p : new String[] {"absent", "blank", "empty"}) {
            assertEquals(p, "d", config.string(p, "d", "x"));
            assertNull(p, config.string(p, null, "x"));
            assertEquals(p, 7, config.wholeNumber(p, 7, "x"));
            assertEquals(p, 8, config.milliseconds(p, 8));
            assertEquals(p, 0.5, config.number(p, 0.5, "x"), 0);
        }
    }

    @Test
    public void valuesAreTakenAsGiven() {
        ConfigReader config = new ConfigReader(PID, Map.of("s", " spaced ", "l", 5L, "i", 6, "sh", (short) 7,
                "b", (byte) 8, "text", " 9 ", "f", 1.5f, "d", "2.25"));
        assertEquals("strings are not trimmed", " spaced ", config.string("s", "", "x"));
        assertEquals(5, config.wholeNumber("l", 0, "x"));
        assertEquals(6, config.wholeNumber("i", 0, "x"));
        assertEquals(7, config.wholeNumber("sh", 0, "x"));
        assertEquals(8, config.wholeNumber("b", 0, "x"));
        assertEquals(9, config.wholeNumber("text", 0, "x"));
        assertEquals(9, config.milliseconds("text", 0));
        assertEquals(1.5, config.number("f", 0, "x"), 0);
        assertEquals(6.0, config.number("i", 0, "x"), 0);
        assertEquals(2.25, config.number("d", 0, "x"), 0);
    }

    @Test
    public void refusalNamesPidPropertyValueAndWhatWasExpected() {
        ConfigReader config = new ConfigReader(PID, Map.of("n", 2.5d));
        refused(() -> config.wholeNumber("n", 0, "a whole number"),
                PID + ": n = '2.5' (Double) is refused; expected a whole number");
        assertEquals("dev.neep.other: dir = '/x' (String) is refused; expected a directory",
                ConfigReader.refused("dev.neep.other", "dir", "/x", "a directory").getMessage());
    }

    @Test
    public void valuesOfTheWrongKindAreRefused() {
        ConfigReader config = new ConfigReader(PID, Map.of("word", "fast", "number", 42, "flag", true));
        refused(() -> config.string("number", "", "a string"), PID + ": number = '42' (Integer) is refused; expected a string");
        refused(() -> config.wholeNumber("word", 0, "a count"), PID + ": word = 'fast' (String) is refused; expected a count");
        refused(() -> config.wholeNumber("flag", 0, "a count"), PID + ": flag = 'true' (Boolean) is refused; expected a count");
        refused(() -> config.number("word", 0, "a scale"), PID + ": word = 'fast' (String) is refused; expected a scale");
        refused(() -> config.number("flag", 0, "a scale"), PID + ": flag = 'true' (Boolean) is refused; expected a scale");
    }

    @Test
    public void millisecondsAreWholeAndNotNegative() {
        ConfigReader config = new ConfigReader(PID, Map.of("neg", -1L, "frac", "0.5"));
        refused(() -> config.milliseconds("neg", 0), PID + ": neg = '-1' (Long) is refused; expected 0 or more milliseconds");
        refused(() -> config.milliseconds("frac", 0),
                PID + ": frac = '0.5' (String) is refused; expected a whole number of milliseconds");
    }

    private static void refused(Runnable read, String message) {
        try {
            read.run();
            fail("accepted; expected: " + message);
        } catch (IllegalArgumentException e) {
            assertEquals(message, e.getMessage());
        }
    }
}
