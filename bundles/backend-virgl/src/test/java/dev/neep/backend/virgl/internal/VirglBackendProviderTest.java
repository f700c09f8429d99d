package dev.neep.backend.virgl.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.neep.gpu.api.BackendConfig;
import dev.neep.gpu.api.GpuBackend;
import dev.neep.gpu.api.GpuBackendProvider;
import java.util.Map;
import org.junit.Assume;
import org.junit.Test;

public class VirglBackendProviderTest {

    @Test
    public void kindIsTheServicePropertyValue() {
        assertEquals("virgl", new VirglBackendProvider().kind());
    }

    @Test
    public void openGivesARendererThatCloses() throws Exception {
        Assume.assumeTrue(VirglNative.unavailableReason(), VirglNative.available());
        GpuBackendProvider provider = new VirglBackendProvider();
        try (GpuBackend backend = provider.open(new BackendConfig(1L << 2, "surfaceless", Map.of()), f -> { })) {
            assertTrue(backend.capabilities().virgl3d());
        }
        // closed: the process's renderer is free again
        provider.open(new BackendConfig(0, null, Map.of()), f -> { }).close();
    }
}
