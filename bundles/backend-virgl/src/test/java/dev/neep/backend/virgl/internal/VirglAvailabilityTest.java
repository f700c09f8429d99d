package dev.neep.backend.virgl.internal;

import static org.junit.Assert.assertEquals;

import dev.neep.backend.support.LoadedLibrary;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.Assume;
import org.junit.Test;
import org.osgi.service.component.ComponentContext;

public class VirglAvailabilityTest {

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
    private void probe(VirglAvailability availability, Map<String, Object> properties) {
        availability.configure(context(), properties);
        availability.deactivate();
    }

    @Test
    public void loadedLibraryEnablesTheProvider() {
        LoadedLibrary<VirglRenderer> loaded = VirglNative.find("");
        Assume.assumeTrue(loaded.unavailableReason(), loaded.available());
        probe(new VirglAvailability(), Map.of());
        assertEquals(List.of("enableComponent " + VirglBackendProvider.class.getName()), calls);
    }

    @Test
    public void aRefusedConfigurationKeepsTheProviderUnregistered() {
        probe(new VirglAvailability(), Map.of("capset_names", "venus"));
        assertEquals(List.of("disableComponent " + VirglBackendProvider.class.getName()), calls);
    }

    @Test
    public void aMissingLibraryKeepsTheProviderUnregistered() {
        probe(new VirglAvailability(), Map.of("library_path", "/nonexistent/libvirglrenderer.so.1"));
        assertEquals(List.of("disableComponent " + VirglBackendProvider.class.getName()), calls);
    }
}
