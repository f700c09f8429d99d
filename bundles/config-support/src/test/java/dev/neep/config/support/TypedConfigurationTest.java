package dev.neep.config.support;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.List;
import java.util.Map;
import org.junit.Test;

public class TypedConfigurationTest {

    /** A configuration type as the bundles write them. */
    public @interface Sample {
        String PID = "dev.neep.sample";

        String name() default "neep";

        int max__outputs() default 1;

        long max__hostmem() default 256;

        double scale() default 1.0;

        boolean edid() default true;

        boolean cross$_$domain() default false;

        String[] may__wait() default {};
    }

    public @interface NoPid {
        int x() default 0;
    }

    private static Sample read(Map<String, ?> properties) {
        return TypedConfiguration.read(Sample.class, properties);
    }

    private static void refused(Map<String, ?> properties, String message) {
        try {
            read(properties);
            fail("accepted " + properties);
        } catch (ConfigurationRefused e) {
            assertEquals(message, e.getMessage());
            assertEquals(Sample.PID, e.pid());
        }
    }

    @Test
    public void absentAndBlankPropertiesTakeTheDefaults() {
        for (Map<String, ?> p : List.of(Map.<String, Object>of(), Map.of("name", " ", "max_outputs", "",
                "edid", "", "scale", " ", "may_wait", ""))) {
            Sample s = read(p);
            assertEquals("neep", s.name());
            assertEquals(1, s.max__outputs());
            assertEquals(256, s.max__hostmem());
            assertEquals(1.0, s.scale(), 0);
            assertTrue(s.edid());
            assertFalse(s.cross$_$domain());
            assertArrayEquals(new String[0], s.may__wait());
        }
    }

    @Test
    public void namesFollowTheDsMapping() {
        assertEquals("max_outputs", TypedConfiguration.propertyName("max__outputs"));
        assertEquals("cross-domain", TypedConfiguration.propertyName("cross$_$domain"));
        assertEquals("backend.target", TypedConfiguration.propertyName("backend_target"));
        assertEquals("a$b", TypedConfiguration.propertyName("a$$b"));
        assertEquals("ab", TypedConfiguration.propertyName("a$b"));
        assertTrue(read(Map.of("cross-domain", "on")).cross$_$domain());
    }

    @Test
    public void typedValuesAndCfgStringsReadAlike() {
        Sample typed = read(Map.of("name", " as given ", "max_outputs", 2, "max_hostmem", 1L << 40, "scale", 1.5f,
                "edid", false, "may_wait", new String[] {"a", "b"}));
        Sample strings = read(Map.of("name", " as given ", "max_outputs", " 2", "max_hostmem", "1099511627776",
                "scale", "1.5", "edid", "off", "may_wait", List.of("a", "b")));
        for (Sample s : List.of(typed, strings)) {
            assertEquals(" as given ", s.name());
            assertEquals(2, s.max__outputs());
            assertEquals(1L << 40, s.max__hostmem());
            assertEquals(1.5, s.scale(), 0);
            assertFalse(s.edid());
            assertArrayEquals(new String[] {"a", "b"}, s.may__wait());
        }
        assertEquals(3.0, read(Map.of("scale", 3)).scale(), 0);
        assertEquals(4, read(Map.of("max_outputs", new Integer[] {4})).max__outputs());
        assertArrayEquals(new String[] {"one"}, read(Map.of("may_wait", "one")).may__wait());
    }

    @Test
    public void qemusBooleanSpellingsAreBooleans() {
        for (String on : List.of("true", "ON", "yes", " on ")) {
            assertTrue(on, read(Map.of("edid", on)).edid());
        }
        for (String off : List.of("false", "Off", "no")) {
            assertFalse(off, read(Map.of("edid", off)).edid());
        }
    }

    @Test
    public void whatDsWouldQuietlyMisreadIsRefusedNamingPidPropertyAndValue() {
        refused(Map.of("edid", "maybe"), "dev.neep.sample: edid=maybe: is not a boolean (true or false, on or off)");
        refused(Map.of("edid", 1), "dev.neep.sample: edid=1: is not a boolean (true or false, on or off)");
        refused(Map.of("max_outputs", 4294967297L), "dev.neep.sample: max_outputs=4294967297: is out of range");
        refused(Map.of("max_outputs", 1.5), "dev.neep.sample: max_outputs=1.5: is not a whole number");
        refused(Map.of("max_outputs", "wide"), "dev.neep.sample: max_outputs=wide: is not a whole number");
        refused(Map.of("max_outputs", List.of(1, 2)), "dev.neep.sample: max_outputs=[1, 2]: must be a single value");
        refused(Map.of("max_outputs", new int[] {1, 2}), "dev.neep.sample: max_outputs=[1, 2]: must be a single value");
        refused(Map.of("scale", "big"), "dev.neep.sample: scale=big: is not a number");
        refused(Map.of("scale", true), "dev.neep.sample: scale=true: is not a number");
        refused(Map.of("name", 7), "dev.neep.sample: name=7: is not text (Integer)");
        refused(Map.of("may_wait", List.of("a", 2)), "dev.neep.sample: may_wait=[a, 2]: is not text (Integer)");
    }

    @Test
    public void anUndeclaredPropertyIsRefusedUnlessItIsTheFrameworks() {
        refused(Map.of("max_output", 2), "dev.neep.sample: max_output=2: is not a property of this configuration;"
                + " those are cross-domain, edid, max_hostmem, max_outputs, may_wait, name, scale");
        assertEquals(2, read(Map.of("max_outputs", 2, "service.pid", Sample.PID, "backend.target", "(a=b)",
                "felix.fileinstall.filename", "file:/x.cfg", "component.id", 3L)).max__outputs());
    }

    @Test
    public void arraysAreCopiedOnEveryRead() {
        Sample s = read(Map.of("may_wait", new String[] {"a"}));
        s.may__wait()[0] = "changed";
        assertArrayEquals(new String[] {"a"}, s.may__wait());
        assertEquals(Sample.class, s.annotationType());
        assertTrue(s.toString(), s.toString().contains("max__outputs=1"));
    }

    @Test
    public void aValueOutsideItsRangeIsRefusedNamingTheRange() {
        assertEquals(5, ConfigurationRefused.within(Sample.PID, "port", 5, 0, 65535));
        try {
            ConfigurationRefused.within(Sample.PID, "port", 70000, 0, 65535);
            fail("70000 accepted");
        } catch (ConfigurationRefused e) {
            assertEquals("dev.neep.sample: port=70000: must be 0..65535", e.getMessage());
            assertEquals("port", e.property());
        }
    }

    @Test
    public void aTypeWithoutPidIsAProgrammingError() {
        assertThrows(IllegalArgumentException.class, () -> TypedConfiguration.read(NoPid.class, Map.of()));
        assertEquals("dev.neep.sample", TypedConfiguration.pid(Sample.class));
    }
}
