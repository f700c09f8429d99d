package dev.neep.backend.support;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.neep.config.support.ConfigurationRefused;
import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.protocol.CtrlType;
import java.util.List;
import org.junit.Test;

/** What the backends' configurations share: capset names, wsi, and a refusal kept for the next open. */
public class ConfigurationReadingTest {

    private static final String PID = "dev.neep.backend.test";

    private static void refused(Runnable read, String message) {
        try {
            read.run();
            fail("accepted; expected " + message);
        } catch (ConfigurationRefused e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith(message));
        }
    }

    @Test
    public void capsetNamesAreKeptInOrderOnce() {
        assertEquals(List.of("gfxstream-vulkan", "cross-domain"),
                CapsetNames.parse(PID, "gfxstream-vulkan:cross-domain:gfxstream-vulkan"));
        assertEquals(List.of(), CapsetNames.parse(PID, " "));
    }

    @Test
    public void unknownOrEmptyCapsetNameIsRefusedNamingPidPropertyAndValue() {
        refused(() -> CapsetNames.parse(PID, "foo"), PID + ": capset_names=foo: unknown capset 'foo'; the capsets are"
                + " virgl, virgl2, gfxstream-vulkan, venus, cross-domain, drm, gfxstream-magma, gfxstream-gles,"
                + " gfxstream-composer");
        refused(() -> CapsetNames.parse(PID, "virgl::venus"), PID + ": capset_names=virgl::venus: has an empty capset");
    }

    @Test
    public void wsiIsSurfacelessOrHeadlessAndNothingElse() {
        assertFalse(Wsi.headless(PID, "surfaceless"));
        assertTrue(Wsi.headless(PID, "headless"));
        refused(() -> Wsi.headless(PID, "x11"), PID + ": wsi=x11: must be surfaceless or headless");
    }

    @Test
    public void aRefusalIsKeptAndFailsTheNextOpenWithItsMessage() throws GpuBackendException {
        assertEquals("ok", CheckedSettings.read(() -> "ok").require());
        CheckedSettings<String> refused = CheckedSettings.read(() -> {
            throw new ConfigurationRefused(PID, "wsi", "x11", "must be surfaceless or headless");
        });
        assertNull(refused.settings());
        try {
            refused.require();
            fail("a refused configuration was handed out");
        } catch (GpuBackendException e) {
            assertEquals(CtrlType.RESP_ERR_UNSPEC, e.responseType());
            assertEquals(PID + ": wsi=x11: must be surfaceless or headless", e.getMessage());
        }
    }
}
