package dev.neep.backend.virgl.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.neep.backend.support.LoadedLibrary;
import dev.neep.gpu.api.GpuBackend;
import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.protocol.CtrlType;
import java.util.Map;
import org.junit.Assume;
import org.junit.Test;

public class VirglBackendProviderTest {

    @Test
    public void kindIsTheServicePropertyValue() {
        assertEquals("virgl", new VirglBackendProvider().kind());
    }

    @Test
    public void openGivesARendererWithTheConfiguredCapsetsThatCloses() throws Exception {
        LoadedLibrary<VirglRenderer> loaded = VirglNative.find("");
        Assume.assumeTrue(loaded.unavailableReason(), loaded.available());
        VirglBackendProvider provider = new VirglBackendProvider();
        provider.configure(Map.of("capset_names", "virgl2"));
        try (GpuBackend backend = provider.open(f -> { })) {
            assertTrue(backend.capabilities().virgl3d());
            assertEquals(1, backend.capsets().size());
        }
        // closed: the process's renderer is free again
        provider.configure(Map.of("capset_names", "virgl:virgl2", "wsi", "headless"));
        try (GpuBackend backend = provider.open(f -> { })) {
            assertEquals(2, backend.capsets().size());
            assertTrue(backend.headless());
        }
    }

    @Test
    public void aRefusedConfigurationFailsTheOpenNamingPropertyAndValue() {
        VirglBackendProvider provider = new VirglBackendProvider();
        provider.configure(Map.of("wsi", "x11"));
        try {
            provider.open(f -> { }).close();
            fail("opened with a refused configuration");
        } catch (GpuBackendException e) {
            assertEquals(CtrlType.RESP_ERR_UNSPEC, e.responseType());
            assertEquals("dev.neep.backend.virgl: wsi=x11: must be surfaceless or headless", e.getMessage());
        }
    }
}
