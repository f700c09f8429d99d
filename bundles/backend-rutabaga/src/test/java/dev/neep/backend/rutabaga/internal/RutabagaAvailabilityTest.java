package dev.neep.backend.rutabaga.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.neep.gpu.api.GpuBackendException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.Assume;
import org.junit.Test;
import org.osgi.service.component.ComponentContext;

public class RutabagaAvailabilityTest {

    private final List<String> calls = new ArrayList<>();

    private ComponentContext context() {
        return (ComponentContext) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ComponentContext.class}, (proxy, method, args) -> {
                    if (method.getName().equals("enableComponent") || method.getName().equals("disableComponent")) {
                        calls.add(method.getName() + " " + args[0]);
                        return null;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    /** Configures, then deactivates, which waits for the probe the configuration started. */
    private void probe(RutabagaAvailability availability, Map<String, Object> properties) {
        availability.configure(context(), properties);
        availability.deactivate();
    }

    @Test
    public void absentLibraryKeepsTheProviderUnregisteredAndLogsWhyAndHow() {
        String missing = "/nonexistent/librutabaga_gfx_ffi.so";
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            probe(new RutabagaAvailability(Map.of()), Map.of("library_path", missing));
        } finally {
            System.setErr(original);
        }
        assertEquals(List.of("disableComponent " + RutabagaBackendProvider.class.getName()), calls);
        String log = captured.toString(StandardCharsets.UTF_8);
        // an optional backend nobody chose: INFO; the device that chooses it reports the wait
        assertTrue(log, log.contains("INFO"));
        assertFalse(log, log.contains("WARN"));
        assertTrue(log, log.contains("rutabaga backend not available: librutabaga_gfx_ffi could not be loaded"));
        assertTrue(log, log.contains(missing));
        assertTrue(log, log.contains("library_path in configuration dev.neep.backend.rutabaga"));
        assertTrue(log, log.contains(RutabagaNative.LIBRARY_ENV));
    }

    @Test
    public void loadedLibraryEnablesTheProvider() {
        String path = System.getenv(RutabagaNative.LIBRARY_ENV);
        Assume.assumeTrue(RutabagaBackendLibraryTest.NOT_SET, path != null);
        probe(new RutabagaAvailability(Map.of(RutabagaNative.LIBRARY_ENV, path)), Map.of());
        assertEquals(List.of("enableComponent " + RutabagaBackendProvider.class.getName()), calls);
    }

    @Test
    public void aRefusedConfigurationKeepsTheProviderUnregisteredAndLogsWhy() {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            probe(new RutabagaAvailability(Map.of()), Map.of("capset_names", "foo"));
        } finally {
            System.setErr(original);
        }
        assertEquals(List.of("disableComponent " + RutabagaBackendProvider.class.getName()), calls);
        String log = captured.toString(StandardCharsets.UTF_8);
        assertTrue(log, log.contains("rutabaga backend not available: its configuration is refused:"
                + " dev.neep.backend.rutabaga: capset_names=foo: unknown capset 'foo'"));
    }

    @Test
    public void aRefusedConfigurationFailsTheProvidersOpenNamingPropertyAndValue() {
        RutabagaBackendProvider provider = new RutabagaBackendProvider();
        provider.configure(Map.of("wsi", "x11"));
        try {
            provider.open(f -> { }).close();
            fail("opened with a refused configuration");
        } catch (GpuBackendException e) {
            assertEquals("dev.neep.backend.rutabaga: wsi=x11: must be surfaceless or headless", e.getMessage());
        }
    }

    @Test
    public void kindIsTheServicePropertyValue() {
        assertEquals("rutabaga", new RutabagaBackendProvider().kind());
    }
}
