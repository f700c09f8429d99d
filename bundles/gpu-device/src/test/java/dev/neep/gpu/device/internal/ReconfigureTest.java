package dev.neep.gpu.device.internal;

import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_UNSPEC;
import static dev.neep.gpu.protocol.CtrlType.RESP_OK_NODATA;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.neep.gpu.api.CapsetInfo;
import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.device.DeviceConfig;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.GpuEvents;
import dev.neep.gpu.protocol.GpuFeatures;
import dev.neep.testkit.GpuDriver;
import dev.neep.testkit.PendingCommand;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.Test;

/**
 * A change while the device runs, of its own configuration or of its provider's: what is
 * reopened, swapped, deferred, released.
 */
public class ReconfigureTest {

    private static void populate(Harness h) {
        h.driver.drawPattern(64, 64);
        h.driver.resourceCreate2d(7, Formats.B8G8R8A8_UNORM, 32, 32);
        assertEquals(2, h.device.resourceCount());
        assertTrue(h.device.hostMemoryUsed() > 0);
    }

    private static void assertReleased(Harness h) {
        assertEquals(0, h.device.resourceCount());
        assertEquals(0, h.device.contextCount());
        assertEquals(0, h.device.hostMemoryUsed());
        assertEquals(0, h.device.parkedFences());
        assertTrue(h.sink.scanouts().isEmpty());
    }

    @Test
    public void changedProviderSettingsReopenTheBackendReleaseEverythingAndRaiseAConfigChange()
            throws GpuBackendException {
        TestBackend.Provider p = new TestBackend.Provider("virgl");
        p.capsets = List.of(new CapsetInfo(1, 1, 308));
        p.manualFences = true;
        try (Harness h = Harness.start(DeviceConfig.defaults(), p)) {
            populate(h);
            h.driver.ctxCreate(1, 0, "x");
            PendingCommand fenced = h.driver.submit3dFenced(1, 0, ByteBuffer.allocate(8));
            h.settle();
            assertEquals(1, h.device.parkedFences());
            assertEquals(1, h.driver.config().numCapsets());
            TestBackend first = h.backend();

            // the provider's own configuration now offers virgl2 too
            p.capsets = List.of(new CapsetInfo(1, 1, 308), new CapsetInfo(2, 2, 1376));
            h.device.reopen(p);

            assertTrue(first.closed);
            assertEquals(2, p.opened.size());
            fenced.await(); // completed: the closed instance will never signal it
            assertReleased(h);
            h.driver.awaitConfigInterrupts(1);
            assertEquals(GpuEvents.EVENT_DISPLAY, h.driver.config().eventsRead());
            assertEquals(2, h.driver.config().numCapsets());
            assertEquals(RESP_OK_NODATA, h.driver.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, 16, 16).type());
            assertEquals(1, h.backend().count("resourceCreate2d"));
        }
    }

    @Test
    public void theSameSettingsAgainChangeNothing() throws GpuBackendException {
        TestBackend.Provider p = new TestBackend.Provider("virgl");
        try (Harness h = Harness.start(DeviceConfig.defaults(), p)) {
            populate(h);
            h.device.reconfigure(DeviceConfig.defaults());
            h.device.reopen(new TestBackend.Provider("virgl")); // a provider that is not the bound one
            assertEquals(1, p.opened.size());
            assertEquals(2, h.device.resourceCount());
            assertEquals(0, h.driver.configInterrupts());
        }
    }

    @Test
    public void anotherBackendKindWaitsForItsProviderThenSwapsOnce() throws GpuBackendException {
        TestBackend.Provider twoD = new TestBackend.Provider("2d").twoD();
        try (Harness h = Harness.start(DeviceConfig.defaults(), twoD)) {
            populate(h);
            // the change of configuration that points the reference elsewhere touches no backend
            h.device.reconfigure(DeviceConfig.defaults());
            // the 2D provider is not reopened; the guest keeps its work until the swap
            assertEquals(1, twoD.opened.size());
            assertEquals("2d", h.device.backendKind());
            assertEquals(2, h.device.resourceCount());

            TestBackend.Provider virgl = new TestBackend.Provider("virgl");
            h.device.useProvider(virgl);
            h.device.dropProvider(twoD); // as SCR unbinds the old provider after binding the new one
            assertEquals("virgl", h.device.backendKind());
            assertEquals(1, virgl.opened.size());
            assertTrue(twoD.last().closed);
            assertReleased(h);
            h.driver.awaitConfigInterrupts(1);
            h.settle();
            assertEquals(1, h.driver.configInterrupts());
            assertEquals(2, h.driver.config().numCapsets());
        }
    }

    @Test
    public void aNewShapeWaitsForTheDriversReset() throws GpuBackendException {
        try (Harness h = Harness.start()) {
            populate(h);
            h.device.reconfigure(DeviceConfig.defaults().withMaxOutputs(2).withEdid(false));
            // what the driver read at initialisation stays true while it runs
            assertEquals(1, h.driver.config().numScanouts());
            assertTrue(GpuFeatures.has(h.device.deviceFeatures(), GpuFeatures.EDID));
            assertEquals(2, h.device.resourceCount());
            assertEquals(1, h.testProvider().opened.size());
            assertEquals(0, h.driver.configInterrupts());

            h.driver.close();
            assertEquals(2, h.device.config().maxOutputs());
            assertFalse(GpuFeatures.has(h.device.deviceFeatures(), GpuFeatures.EDID));
            h.driver = GpuDriver.start(h.device, h.memory, h.allocator, GpuDriver.Options.defaults());
            assertEquals(2, h.driver.config().numScanouts());
            assertFalse(h.driver.hasGpuFeature(GpuFeatures.EDID));
            assertEquals(2, h.driver.getDisplayInfo().pmodes().stream().filter(m -> m.enabled() != 0).count());
        }
    }

    @Test
    public void aShapeChangedBackAgainBeforeTheResetIsForgotten() throws GpuBackendException {
        try (Harness h = Harness.start()) {
            h.device.reconfigure(DeviceConfig.defaults().withMaxOutputs(2));
            h.device.reconfigure(DeviceConfig.defaults());
            h.driver.close();
            assertEquals(1, h.device.config().maxOutputs());
        }
    }

    @Test
    public void aNewShapeWithoutADriverAppliesAtOnce() throws GpuBackendException {
        GpuDevice d = new GpuDevice(DeviceConfig.defaults());
        try {
            d.useProvider(new TestBackend.Provider("2d").twoD());
            d.reconfigure(DeviceConfig.defaults().withMaxOutputs(3).withEdid(false));
            byte[] space = new byte[16];
            d.readConfig(0, space);
            assertEquals(3, space[8]);
            assertFalse(GpuFeatures.has(d.deviceFeatures(), GpuFeatures.EDID));
        } finally {
            d.close();
        }
    }

    @Test
    public void aSwapToABackendWithout3dWithdrawsVirglFromTheGuest() throws GpuBackendException {
        try (Harness h = Harness.start()) {
            assertTrue(h.driver.hasGpuFeature(GpuFeatures.VIRGL));
            TestBackend.Provider twoD = new TestBackend.Provider("2d").twoD();
            h.device.useProvider(twoD);
            assertEquals(RESP_ERR_UNSPEC, h.driver.ctxCreate(1, 0, "x").type());
            assertEquals(RESP_ERR_UNSPEC, h.driver.submit3d(1, ByteBuffer.allocate(8)).type());
            assertEquals(0, twoD.last().count("contextCreate"));
            assertEquals(0, twoD.last().count("submitCommand"));
            assertEquals(RESP_OK_NODATA, h.driver.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, 16, 16).type());

            // swapping back does not give the feature back before the guest negotiates again
            h.device.useProvider(new TestBackend.Provider("virgl"));
            assertEquals(RESP_ERR_UNSPEC, h.driver.ctxCreate(1, 0, "x").type());
            h.driver.close();
            h.driver = GpuDriver.start(h.device, h.memory, h.allocator, GpuDriver.Options.defaults());
            assertEquals(RESP_OK_NODATA, h.driver.ctxCreate(1, 0, "x").type());
        }
    }

    @Test
    public void aBackendThatFailsToReopenLeavesADeviceThatAnswersUnspec() throws GpuBackendException {
        TestBackend.Provider p = new TestBackend.Provider("virgl");
        try (Harness h = Harness.start(DeviceConfig.defaults(), p)) {
            populate(h);
            p.openFailure = new GpuBackendException(RESP_ERR_UNSPEC, "capset virgl2 not offered by the library");
            try {
                h.device.reopen(p);
                throw new AssertionError("the failed open was not reported");
            } catch (GpuBackendException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("virgl2"));
            }
            assertReleased(h);
            assertEquals("", h.device.backendKind());
            assertEquals(RESP_ERR_UNSPEC, h.driver.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, 16, 16).type());
            // the next change of the provider's settings tries again
            p.openFailure = null;
            h.device.reopen(p);
            assertEquals("virgl", h.device.backendKind());
            assertEquals(RESP_OK_NODATA, h.driver.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, 16, 16).type());
        }
    }
}
