package dev.neep.backend.virgl.internal;

import static org.junit.Assert.assertEquals;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.Assume;
import org.junit.Test;
import org.osgi.service.component.ComponentContext;

public class VirglAvailabilityTest {

    @Test
    public void loadedLibraryEnablesTheProvider() {
        Assume.assumeTrue(VirglNative.unavailableReason(), VirglNative.available());
        List<String> enabled = new ArrayList<>();
        ComponentContext context = (ComponentContext) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ComponentContext.class}, (proxy, method, args) -> {
                    if (method.getName().equals("enableComponent")) {
                        enabled.add((String) args[0]);
                        return null;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        new VirglAvailability().activate(context);
        assertEquals(List.of(VirglBackendProvider.class.getName()), enabled);
    }
}
