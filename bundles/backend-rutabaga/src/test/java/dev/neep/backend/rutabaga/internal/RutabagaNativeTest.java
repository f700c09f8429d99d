package dev.neep.backend.rutabaga.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.neep.backend.support.LoadedLibrary;
import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.protocol.CtrlType;
import java.util.Map;
import org.junit.Test;

public class RutabagaNativeTest {

    private static final String MISSING = "/nonexistent/librutabaga_gfx_ffi.so";

    @Test
    public void missingLibraryIsNotAvailableWithTheReasonAndHowToPointNeepAtIt() {
        LoadedLibrary<RutabagaGfxFfi> loaded = RutabagaNative.find(MISSING, Map.of());
        assertFalse(loaded.available());
        assertNull(loaded.location());
        String reason = loaded.unavailableReason();
        assertTrue(reason, reason.startsWith("not available: librutabaga_gfx_ffi could not be loaded from library_path"));
        assertTrue(reason, reason.contains(MISSING));
        assertTrue(reason, reason.contains("library_path in configuration dev.neep.backend.rutabaga"));
        assertTrue(reason, reason.contains(RutabagaNative.LIBRARY_ENV));
    }

    @Test
    public void missingLibraryIsAnUnspecifiedErrorWhenRequired() {
        try {
            RutabagaNative.find(MISSING, Map.of()).require();
            fail("a missing library was handed out");
        } catch (GpuBackendException e) {
            assertEquals(CtrlType.RESP_ERR_UNSPEC, e.responseType());
            assertTrue(e.getMessage(), e.getMessage().startsWith("rutabaga backend not available"));
        }
    }

    @Test
    public void environmentVariableIsUsedWhenNothingIsConfigured() {
        String missing = "/nonexistent/from-env/librutabaga_gfx_ffi.so";
        LoadedLibrary<RutabagaGfxFfi> loaded = RutabagaNative.find(" ", Map.of(RutabagaNative.LIBRARY_ENV, missing));
        assertTrue(loaded.unavailableReason(), loaded.unavailableReason().contains("from " + RutabagaNative.LIBRARY_ENV));
        assertTrue(loaded.unavailableReason(), loaded.unavailableReason().contains(missing));
    }

    @Test
    public void configuredPathWinsOverTheEnvironment() {
        LoadedLibrary<RutabagaGfxFfi> loaded = RutabagaNative.find(MISSING,
                Map.of(RutabagaNative.LIBRARY_ENV, "/elsewhere/librutabaga_gfx_ffi.so"));
        assertFalse(loaded.unavailableReason().contains("/elsewhere/"));
    }

    @Test
    public void withNeitherTheLinkerPathIsSearchedUnderBothNames() {
        LoadedLibrary<RutabagaGfxFfi> loaded = RutabagaNative.find("", Map.of());
        if (loaded.available()) {
            assertTrue(loaded.location().contains("rutabaga_gfx_ffi"));
        } else {
            String reason = loaded.unavailableReason();
            assertTrue(reason, reason.contains("from the linker path"));
            assertTrue(reason, reason.contains("rutabaga_gfx_ffi: "));
            assertTrue(reason, reason.contains("librutabaga_gfx_ffi.so.0: "));
        }
    }
}
