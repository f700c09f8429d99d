package dev.neep.gpu.device.internal;

import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_RESOURCE_ID;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_UNSPEC;
import static dev.neep.gpu.protocol.CtrlType.RESP_OK_NODATA;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.neep.gpu.api.BackendCapabilities;
import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.device.DeviceConfig;
import dev.neep.gpu.protocol.Blobs;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.GpuEvents;
import dev.neep.gpu.protocol.GpuFeatures;
import dev.neep.gpu.protocol.Rect;
import dev.neep.testkit.GpuDriver;
import dev.neep.testkit.TrackingProvider;
import dev.neep.testkit.PendingCommand;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import org.junit.Test;

/** Reset, close and swapping the backend while the device runs: everything is released, the same way each time. */
public class LifecycleTest {

    private static void populate(Harness h) {
        GpuDriver d = h.driver;
        d.drawPattern(64, 64);
        d.ctxCreate(1, 0, "x");
        d.createBlob(0, 9, Blobs.BLOB_MEM_GUEST, 0, 0, 4096, d.allocateBacking(4096));
        d.resourceCreate2d(3, Formats.B8G8R8A8_UNORM, 64, 64);
        d.updateCursor(0, 1, 1, 3, 0, 0);
        assertEquals(3, h.device.resourceCount());
        assertTrue(h.device.hostMemoryUsed() > 0);
    }

    @Test
    public void resetReleasesEverythingInTheBackendAndKeepsIt() {
        try (Harness h = Harness.start()) {
            populate(h);
            h.driver.ctxCreate(2, 0, "y");
            assertEquals(RESP_OK_NODATA, h.driver.ctxAttachResource(1, 1).type());
            assertEquals(RESP_OK_NODATA, h.driver.ctxAttachResource(1, 3).type());
            assertEquals(RESP_OK_NODATA, h.driver.ctxAttachResource(2, 3).type());
            TestBackend b = h.backend();
            int before = b.calls.size();
            h.device.reset();
            assertEquals(0, h.device.resourceCount());
            assertEquals(0, h.device.contextCount());
            assertEquals(0, h.device.hostMemoryUsed());
            assertFalse(h.device.active());
            assertFalse(b.closed);
            assertEquals(1, h.testProvider().opened.size());
            assertTrue(h.sink.scanouts().isEmpty());
            assertTrue(h.sink.cursors().isEmpty());
            // QEMU's order: each context loses its resources, then goes; then every resource goes
            List<String> release = b.calls.subList(before, b.calls.size());
            assertEquals(List.of("contextDetachResource[1, 1]", "contextDetachResource[1, 3]", "contextDestroy[1]",
                    "contextDetachResource[2, 3]", "contextDestroy[2]"), release.subList(0, 5));
            assertEquals(Set.of("resourceUnref[1]", "resourceUnref[3]", "resourceUnref[9]"),
                    Set.copyOf(release.subList(5, release.size())));
        }
    }

    @Test
    public void tenResetsInARowOpenTheBackendOnceAndLeaveNothingInIt() {
        TrackingProvider tracking = new TrackingProvider(new TestBackend.Provider("t"));
        try (Harness h = Harness.start(DeviceConfig.defaults(), tracking)) {
            for (int round = 0; round < 10; round++) {
                populate(h);
                assertEquals(RESP_OK_NODATA, h.driver.ctxAttachResource(1, 3).type());
                h.device.reset();
                assertEquals(0, tracking.liveResources());
                assertEquals(0, tracking.liveBackings());
                h.driver = GpuDriver.start(h.device, h.memory, h.allocator, GpuDriver.Options.defaults());
            }
            assertEquals(1, tracking.openInstances());
            assertEquals(1, tracking.opened());
        }
    }

    @Test
    public void resetOfAnUntouchedBackendKeepsIt() {
        try (Harness h = Harness.start()) {
            h.driver.getDisplayInfo();
            h.device.reset();
            assertEquals(1, h.testProvider().opened.size());
            assertFalse(h.backend().closed);
        }
    }

    @Test
    public void deviceWorksAgainAfterReset() {
        try (Harness h = Harness.start()) {
            populate(h);
            h.device.reset();
            h.driver = GpuDriver.start(h.device, h.memory, h.allocator, GpuDriver.Options.defaults());
            assertEquals(RESP_OK_NODATA, h.driver.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, 16, 16).type());
            assertEquals(RESP_OK_NODATA, h.driver.ctxCreate(1, 0, "again").type());
        }
    }

    @Test
    public void closeReleasesEverythingAndClosesTheBackend() {
        Harness h = Harness.start();
        populate(h);
        TestBackend b = h.backend();
        h.device.close();
        assertTrue(b.closed);
        assertEquals(0, h.device.resourceCount());
        h.device.close(); // twice is harmless
    }

    @Test
    public void swappingTheBackendReleasesEverythingAndRaisesAConfigChange() throws GpuBackendException {
        try (Harness h = Harness.start()) {
            populate(h);
            TestBackend old = h.backend();
            TestBackend.Provider next = new TestBackend.Provider("other");
            next.capsets = List.of(new dev.neep.gpu.api.CapsetInfo(5, 0, 16));
            h.device.useProvider(next);
            assertTrue(old.closed);
            assertEquals(1, next.opened.size());
            assertEquals(0, h.device.resourceCount());
            assertEquals(0, h.device.hostMemoryUsed());
            assertEquals("other", h.device.backendKind());
            h.driver.awaitConfigInterrupts(1);
            assertEquals(GpuEvents.EVENT_DISPLAY, h.driver.config().eventsRead());
            assertEquals(1, h.driver.config().numCapsets());
            assertTrue(h.sink.scanouts().isEmpty());
            // the guest's old ids are gone; new work goes to the new backend
            assertEquals(RESP_ERR_INVALID_RESOURCE_ID, h.driver.resourceFlush(1, new Rect(0, 0, 64, 64)).type());
            assertEquals(RESP_OK_NODATA, h.driver.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, 16, 16).type());
            assertEquals(1, next.last().count("resourceCreate2d"));
            assertEquals(2, old.count("resourceCreate2d"));
        }
    }

    @Test
    public void swapRecomputesTheFeatures() throws GpuBackendException {
        try (Harness h = Harness.start()) {
            assertTrue(GpuFeatures.has(h.device.deviceFeatures(), GpuFeatures.VIRGL));
            TestBackend.Provider twoD = new TestBackend.Provider("2d").twoD();
            h.device.useProvider(twoD);
            assertFalse(GpuFeatures.has(h.device.deviceFeatures(), GpuFeatures.VIRGL));
            assertTrue(GpuFeatures.has(h.device.deviceFeatures(), GpuFeatures.RESOURCE_BLOB));
            assertEquals(0, h.driver.config().numCapsets());
        }
    }

    @Test
    public void swapCompletesFencesTheOldBackendWillNeverSignal() throws GpuBackendException {
        TestBackend.Provider p = new TestBackend.Provider("t");
        p.manualFences = true;
        try (Harness h = Harness.start(DeviceConfig.defaults(), p)) {
            h.driver.ctxCreate(1, 0, "x");
            PendingCommand c = h.driver.submit3dFenced(1, 0, ByteBuffer.allocate(8));
            h.settle();
            assertEquals(1, h.device.parkedFences());
            TestBackend old = h.backend();
            h.device.useProvider(new TestBackend.Provider("next"));
            c.await();
            assertEquals(0, h.device.parkedFences());
            // a late signal of the closed instance finds nothing and harms nothing
            old.signal(old.fences.get(0));
            h.settle();
            assertEquals(0, h.device.parkedFences());
        }
    }

    @Test
    public void sameProviderAgainChangesNothing() throws GpuBackendException {
        try (Harness h = Harness.start()) {
            populate(h);
            h.device.useProvider(h.provider);
            assertEquals(1, h.testProvider().opened.size());
            assertEquals(3, h.device.resourceCount());
        }
    }

    @Test
    public void droppingTheProviderLeavesADeviceThatAnswersUnspec() {
        try (Harness h = Harness.start()) {
            h.device.dropProvider(new TestBackend.Provider("someone else"));
            assertEquals("test", h.device.backendKind());
            h.device.dropProvider(h.provider);
            assertEquals("", h.device.backendKind());
            assertTrue(h.backend().closed);
            assertEquals(RESP_ERR_UNSPEC, h.driver.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, 16, 16).type());
            assertEquals(0, h.device.resourceCount());
            // what needs no backend still works
            assertEquals(CtrlType.RESP_OK_DISPLAY_INFO, h.driver.getDisplayInfo().hdr().type());
        }
    }

    @Test
    public void backendThatFailsToOpenIsReportedWithItsMessage() {
        TestBackend.Provider p = new TestBackend.Provider("broken");
        p.openFailure = new GpuBackendException(RESP_ERR_UNSPEC, "library libfoo.so not found");
        GpuDevice d = new GpuDevice(DeviceConfig.defaults());
        try {
            d.useProvider(p);
            fail("opened");
        } catch (GpuBackendException e) {
            assertTrue(e.getMessage().contains("libfoo"));
            assertEquals("", d.backendKind());
            assertFalse(GpuFeatures.has(d.deviceFeatures(), GpuFeatures.VIRGL));
        } finally {
            d.close();
        }
    }

    @Test
    public void backendCallsAllComeFromTheDeviceThread() {
        try (Harness h = Harness.start()) {
            populate(h);
            h.device.reset();
            for (TestBackend b : h.testProvider().opened) {
                for (Thread t : b.threads) {
                    assertEquals("neep-gpu-device", t.getName());
                }
            }
        }
    }

    @Test
    public void noCapabilitiesMeansNo3dFeatures() throws GpuBackendException {
        TestBackend.Provider p = new TestBackend.Provider("t");
        p.capabilities = new BackendCapabilities(false, false, false, false);
        try (Harness h = Harness.start(DeviceConfig.defaults(), p)) {
            assertFalse(h.driver.hasGpuFeature(GpuFeatures.VIRGL));
            assertFalse(h.driver.hasGpuFeature(GpuFeatures.RESOURCE_BLOB));
        }
    }
}
