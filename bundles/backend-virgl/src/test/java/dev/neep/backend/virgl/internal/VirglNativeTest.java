package dev.neep.backend.virgl.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.neep.backend.support.LoadedLibrary;
import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.protocol.CtrlType;
import org.junit.Test;

public class VirglNativeTest {

    private static final String MISSING = "/nonexistent/libvirglrenderer.so.1";

    @Test
    public void missingLibraryIsReportedAsNotAvailableInsteadOfThrown() {
        LoadedLibrary<VirglRenderer> loaded = VirglNative.find(MISSING);
        assertFalse(loaded.available());
        String reason = loaded.unavailableReason();
        assertTrue(reason, reason.startsWith("not available: libvirglrenderer could not be loaded from library_path"));
        assertTrue(reason, reason.contains(MISSING));
        assertTrue(reason, reason.contains("library_path in configuration dev.neep.backend.virgl"));
        try {
            loaded.require();
            fail("a missing library was handed out");
        } catch (GpuBackendException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("not available"));
            assertEquals(CtrlType.RESP_ERR_UNSPEC, e.responseType());
        }
    }

    @Test
    public void theSystemPropertyIsUsedWhenNothingIsConfigured() {
        String previous = System.getProperty(VirglNative.LIBRARY_PROPERTY);
        System.setProperty(VirglNative.LIBRARY_PROPERTY, MISSING);
        try {
            String reason = VirglNative.find(" ").unavailableReason();
            assertTrue(reason, reason.contains("from " + VirglNative.LIBRARY_PROPERTY));
            assertTrue(reason, reason.contains(MISSING));
        } finally {
            if (previous == null) {
                System.clearProperty(VirglNative.LIBRARY_PROPERTY);
            } else {
                System.setProperty(VirglNative.LIBRARY_PROPERTY, previous);
            }
        }
    }
}
