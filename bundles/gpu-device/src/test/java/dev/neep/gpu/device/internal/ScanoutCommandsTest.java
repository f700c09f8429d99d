package dev.neep.gpu.device.internal;

import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_PARAMETER;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_RESOURCE_ID;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_SCANOUT_ID;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_UNSPEC;
import static dev.neep.gpu.protocol.CtrlType.RESP_OK_NODATA;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.neep.gpu.api.Scanout;
import dev.neep.gpu.api.Transfer;
import dev.neep.gpu.device.DeviceConfig;
import dev.neep.gpu.protocol.Blobs;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.Rect;
import dev.neep.testkit.Backing;
import dev.neep.testkit.GpuDriver;
import java.util.List;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** SET_SCANOUT, SET_SCANOUT_BLOB, TRANSFER_TO_HOST_2D, RESOURCE_FLUSH and what the sinks see of them. */
public class ScanoutCommandsTest {
    private static final int W = 64;
    private static final int H = 48;
    private static final Rect ALL = new Rect(0, 0, W, H);

    private Harness h;
    private GpuDriver d;

    @Before
    public void start() {
        h = Harness.start(DeviceConfig.defaults().withMaxOutputs(2), new TestBackend.Provider("test"));
        d = h.driver;
    }

    @After
    public void stop() {
        h.close();
    }

    private void resourceWithBacking(int id) {
        assertEquals(RESP_OK_NODATA, d.resourceCreate2d(id, Formats.B8G8R8X8_UNORM, W, H).type());
        assertEquals(RESP_OK_NODATA, d.attachBacking(id, d.allocateBacking(W * H * 4)).type());
    }

    @Test
    public void setScanoutTellsTheSinksTheGeometry() {
        resourceWithBacking(1);
        assertEquals(RESP_OK_NODATA, d.setScanout(0, 1, new Rect(8, 4, 32, 16)).type());
        h.settle();
        assertEquals(new Scanout(1, Formats.B8G8R8X8_UNORM, 8, 4, 32, 16), h.sink.scanouts().get(0));
    }

    @Test
    public void setScanoutWithScanoutIdAtMaxOutputsIsInvalidScanoutId() {
        resourceWithBacking(1);
        assertEquals(RESP_ERR_INVALID_SCANOUT_ID, d.setScanout(2, 1, ALL).type());
        assertEquals(RESP_ERR_INVALID_SCANOUT_ID, d.setScanout(-1, 1, ALL).type());
        h.settle();
        assertTrue(h.sink.scanouts().isEmpty());
    }

    @Test
    public void setScanoutWithResourceZeroDisablesTheScanout() {
        resourceWithBacking(1);
        d.setScanout(1, 1, ALL);
        assertEquals(RESP_OK_NODATA, d.setScanout(1, 0, ALL).type());
        h.settle();
        assertNull(h.sink.scanouts().get(1));
        assertTrue(h.sink.events().contains("scanout 1 null"));
    }

    @Test
    public void setScanoutOfUnknownResourceIsInvalidResourceId() {
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, d.setScanout(0, 5, ALL).type());
    }

    @Test
    public void setScanoutRectOutsideTheResourceIsInvalidParameter() {
        resourceWithBacking(1);
        assertEquals(RESP_ERR_INVALID_PARAMETER, d.setScanout(0, 1, new Rect(1, 0, W, H)).type());
        assertEquals(RESP_ERR_INVALID_PARAMETER, d.setScanout(0, 1, new Rect(0, 0, W, H + 1)).type());
        // x + width wraps around 2^32: still outside
        assertEquals(RESP_ERR_INVALID_PARAMETER, d.setScanout(0, 1, new Rect(-16, 0, 32, 16)).type());
    }

    @Test
    public void setScanoutSmallerThan16x16IsInvalidParameter() {
        resourceWithBacking(1);
        assertEquals(RESP_ERR_INVALID_PARAMETER, d.setScanout(0, 1, new Rect(0, 0, 15, 16)).type());
        assertEquals(RESP_ERR_INVALID_PARAMETER, d.setScanout(0, 1, new Rect(0, 0, 16, 15)).type());
        assertEquals(RESP_OK_NODATA, d.setScanout(0, 1, new Rect(0, 0, 16, 16)).type());
    }

    @Test
    public void setScanoutOfABlobIsInvalidParameter() {
        Backing b = d.allocateBacking(W * H * 4);
        d.createBlob(0, 1, Blobs.BLOB_MEM_GUEST, Blobs.BLOB_FLAG_USE_SHAREABLE, 0, W * H * 4, b);
        assertEquals(RESP_ERR_INVALID_PARAMETER, d.setScanout(0, 1, ALL).type());
    }

    @Test
    public void sameScanoutTwiceTellsTheSinksOnce() {
        resourceWithBacking(1);
        d.setScanout(0, 1, ALL);
        d.setScanout(0, 1, ALL);
        h.settle();
        assertEquals(1, h.sink.count("scanout 0"));
    }

    @Test
    public void unrefOfAShownResourceDisablesItsScanouts() {
        resourceWithBacking(1);
        d.setScanout(0, 1, ALL);
        d.setScanout(1, 1, ALL);
        d.resourceUnref(1);
        h.settle();
        assertTrue(h.sink.scanouts().isEmpty());
        // a flush of a new resource with the old id shows nothing
        resourceWithBacking(1);
        d.resourceFlush(1, ALL);
        h.settle();
        assertEquals(0, h.sink.count("frame"));
    }

    @Test
    public void transferToHost2dPassesRectAndOffset() {
        resourceWithBacking(1);
        assertEquals(RESP_OK_NODATA, d.transferToHost2d(1, new Rect(4, 2, 8, 8), 2 * W * 4 + 16).type());
        Transfer expected = Transfer.of2d(4, 2, 8, 8, 2 * W * 4 + 16);
        assertTrue(h.backend().calls.contains("transferWrite[0, 1, " + expected + "]"));
    }

    @Test
    public void transferToHost2dWithoutBackingIsUnspec() {
        d.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, W, H);
        assertEquals(RESP_ERR_UNSPEC, d.transferToHost2d(1, ALL, 0).type());
        assertEquals(0, h.backend().count("transferWrite"));
    }

    @Test
    public void transferToHost2dOfUnknownResourceIsInvalidResourceId() {
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, d.transferToHost2d(2, ALL, 0).type());
    }

    @Test
    public void transferToHost2dRectOutsideTheResourceIsInvalidParameter() {
        resourceWithBacking(1);
        assertEquals(RESP_ERR_INVALID_PARAMETER, d.transferToHost2d(1, new Rect(W, 0, 1, 1), 0).type());
        assertEquals(RESP_ERR_INVALID_PARAMETER, d.transferToHost2d(1, new Rect(0, -1, 1, 2), 0).type());
        assertEquals(0, h.backend().count("transferWrite"));
    }

    @Test
    public void transferToHost2dReadingPastTheBackingIsInvalidParameter() {
        d.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, W, H);
        d.attachBacking(1, d.allocateBacking(W * 4 * 10)); // ten rows of backing only
        assertEquals(RESP_OK_NODATA, d.transferToHost2d(1, new Rect(0, 0, W, 10), 0).type());
        assertEquals(RESP_ERR_INVALID_PARAMETER, d.transferToHost2d(1, new Rect(0, 0, W, 11), 0).type());
        assertEquals(RESP_ERR_INVALID_PARAMETER, d.transferToHost2d(1, new Rect(0, 0, W, 10), 4).type());
        assertEquals(RESP_ERR_INVALID_PARAMETER, d.transferToHost2d(1, new Rect(0, 0, 1, 1), -1L).type());
    }

    @Test
    public void transferToHost2dOfAGuestBlobIsANoOp() {
        Backing b = d.allocateBacking(W * H * 4);
        d.createBlob(0, 1, Blobs.BLOB_MEM_GUEST, Blobs.BLOB_FLAG_USE_SHAREABLE, 0, W * H * 4, b);
        assertEquals(RESP_OK_NODATA, d.transferToHost2d(1, ALL, 0).type());
        assertEquals(0, h.backend().count("transferWrite"));
    }

    @Test
    public void flushSendsTheDirtyRectClippedToTheScanout() {
        resourceWithBacking(1);
        d.setScanout(0, 1, new Rect(16, 16, 32, 16));
        assertEquals(RESP_OK_NODATA, d.resourceFlush(1, new Rect(0, 0, 24, 24)).type());
        h.settle();
        assertTrue(h.sink.events().toString(),
                h.sink.events().contains("frame 0 " + new Rect(0, 0, 8, 8) + " 32x16"));
        int[] pixels = h.sink.frames().get(0);
        assertEquals(32 * 16, pixels.length);
        assertEquals(0xff000001, pixels[0]);
    }

    @Test
    public void flushOutsideEveryScanoutSendsNothing() {
        resourceWithBacking(1);
        d.setScanout(0, 1, new Rect(16, 16, 32, 16));
        d.resourceFlush(1, new Rect(0, 0, 16, 16));
        h.settle();
        assertEquals(0, h.sink.count("frame"));
    }

    @Test
    public void flushRectOutsideTheResourceIsInvalidParameter() {
        resourceWithBacking(1);
        assertEquals(RESP_ERR_INVALID_PARAMETER, d.resourceFlush(1, new Rect(0, 0, W + 1, H)).type());
    }

    @Test
    public void flushOfUnknownResourceIsInvalidResourceId() {
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, d.resourceFlush(9, ALL).type());
    }

    @Test
    public void flushGoesToEveryScanoutShowingTheResource() {
        resourceWithBacking(1);
        d.setScanout(0, 1, ALL);
        d.setScanout(1, 1, new Rect(0, 0, 32, 32));
        d.resourceFlush(1, ALL);
        h.settle();
        assertEquals(1, h.sink.count("frame 0"));
        assertEquals(1, h.sink.count("frame 1"));
    }

    @Test
    public void headlessSendsGeometryButNoPixels() {
        try (Harness headless = Harness.start(DeviceConfig.defaults(), new TestBackend.Provider("test").headless())) {
            GpuDriver hd = headless.driver;
            hd.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, W, H);
            hd.attachBacking(1, hd.allocateBacking(W * H * 4));
            hd.setScanout(0, 1, ALL);
            assertEquals(RESP_OK_NODATA, hd.resourceFlush(1, ALL).type());
            headless.settle();
            assertEquals(1, headless.sink.count("scanout 0"));
            assertEquals(0, headless.sink.count("frame"));
            assertEquals(0, headless.backend().count("frame"));
        }
    }

    @Test
    public void sinkBindingLateGetsTheScanoutAndAFullFrameAtOnce() {
        resourceWithBacking(1);
        d.setScanout(0, 1, new Rect(0, 0, 32, 32));
        RecordingSink late = new RecordingSink().settleWith(h.device::awaitIdle);
        h.device.addSink(late);
        h.settle();
        assertEquals(List.of("scanout 0 " + new Scanout(1, Formats.B8G8R8X8_UNORM, 0, 0, 32, 32),
                "frame 0 " + new Rect(0, 0, 32, 32) + " 32x32"), late.events());
        assertEquals(2, h.device.sinkCount());
    }

    @Test
    public void removedSinkGetsNoMoreCalls() {
        resourceWithBacking(1);
        d.setScanout(0, 1, ALL);
        h.device.removeSink(h.sink);
        int before = h.sink.events().size();
        d.resourceFlush(1, ALL);
        h.settle();
        assertEquals(before, h.sink.events().size());
        assertEquals(0, h.device.sinkCount());
    }

    @Test
    public void sinkThatThrowsDisturbsNeitherTheDeviceNorOtherSinks() {
        RecordingSink good = new RecordingSink().settleWith(h.device::awaitIdle);
        h.device.addSink(good);
        h.sink.toThrow = new IllegalStateException("broken sink");
        resourceWithBacking(1);
        assertEquals(RESP_OK_NODATA, d.setScanout(0, 1, ALL).type());
        assertEquals(RESP_OK_NODATA, d.resourceFlush(1, ALL).type());
        h.settle();
        assertEquals(RESP_OK_NODATA, d.resourceFlush(1, ALL).type());
        h.settle();
        assertEquals(2, good.count("frame 0"));
        assertEquals(2, h.sink.count("frame 0"));
    }

    @Test
    public void sinksAreCalledOnTheirOwnThreadAndTheBackendOnTheDeviceThread() {
        resourceWithBacking(1);
        d.setScanout(0, 1, ALL);
        d.resourceFlush(1, ALL);
        h.settle();
        assertEquals(java.util.Set.of("neep-sink gpu RecordingSink"), h.sink.threads());
        assertEquals(java.util.Set.of("neep-gpu-device"),
                h.backend().threads.stream().map(Thread::getName).collect(java.util.stream.Collectors.toSet()));
    }

    @Test
    public void flushThatTheBackendCannotShowIsAnsweredWithItsError() {
        resourceWithBacking(1);
        d.setScanout(0, 1, ALL);
        h.backend().failing("frame", RESP_ERR_UNSPEC);
        assertEquals(RESP_ERR_UNSPEC, d.resourceFlush(1, ALL).type());
    }

    // ---- SET_SCANOUT_BLOB ----

    private void guestBlob(int id, long size) {
        Backing b = d.allocateBacking(size);
        assertEquals(RESP_OK_NODATA,
                d.createBlob(0, id, Blobs.BLOB_MEM_GUEST, Blobs.BLOB_FLAG_USE_SHAREABLE, 0, size, b).type());
    }

    @Test
    public void setScanoutBlobShowsTheRectAtItsOffset() {
        guestBlob(1, W * H * 4 + 256);
        assertEquals(RESP_OK_NODATA, d.setScanoutBlob(0, 1, new Rect(4, 2, 32, 16), W, H, Formats.B8G8R8A8_UNORM,
                W * 4, 256).type());
        d.resourceFlush(1, ALL);
        h.settle();
        assertEquals(new Scanout(1, Formats.B8G8R8A8_UNORM, 4, 2, 32, 16), h.sink.scanouts().get(0));
        long offset = 256 + 2L * W * 4 + 4 * 4;
        assertTrue(h.backend().calls.toString(), h.backend().calls.contains(
                "blobFrame[1, " + Formats.B8G8R8A8_UNORM + ", 32, 16, " + W * 4 + ", " + offset + "]"));
        assertEquals(1, h.sink.count("frame 0"));
    }

    @Test
    public void setScanoutBlobEndingPastTheBlobIsInvalidParameter() {
        guestBlob(1, W * H * 4);
        assertEquals(RESP_ERR_INVALID_PARAMETER, d.setScanoutBlob(0, 1, ALL, W, H, Formats.B8G8R8A8_UNORM, W * 4, 4)
                .type());
        assertEquals(RESP_ERR_INVALID_PARAMETER, d.setScanoutBlob(0, 1, ALL, W, H, Formats.B8G8R8A8_UNORM, -1, 0)
                .type());
        assertEquals(RESP_OK_NODATA, d.setScanoutBlob(0, 1, ALL, W, H, Formats.B8G8R8A8_UNORM, W * 4, 0).type());
    }

    @Test
    public void setScanoutBlobWithUnsupportedFormatIsInvalidParameter() {
        guestBlob(1, W * H * 4);
        assertEquals(RESP_ERR_INVALID_PARAMETER, d.setScanoutBlob(0, 1, ALL, W, H, 99, W * 4, 0).type());
    }

    @Test
    public void setScanoutBlobRectOutsideTheFramebufferIsInvalidParameter() {
        guestBlob(1, W * H * 4 * 2);
        assertEquals(RESP_ERR_INVALID_PARAMETER,
                d.setScanoutBlob(0, 1, new Rect(1, 0, W, H), W, H, Formats.B8G8R8A8_UNORM, W * 4, 0).type());
    }

    @Test
    public void setScanoutBlobOfANonBlobIsInvalidParameter() {
        resourceWithBacking(1);
        assertEquals(RESP_ERR_INVALID_PARAMETER,
                d.setScanoutBlob(0, 1, ALL, W, H, Formats.B8G8R8A8_UNORM, W * 4, 0).type());
    }

    @Test
    public void setScanoutBlobWithBadScanoutIdIsInvalidScanoutId() {
        guestBlob(1, W * H * 4);
        assertEquals(RESP_ERR_INVALID_SCANOUT_ID,
                d.setScanoutBlob(5, 1, ALL, W, H, Formats.B8G8R8A8_UNORM, W * 4, 0).type());
    }

    @Test
    public void setScanoutBlobWithoutBlobFeatureIsInvalidParameter() {
        long noBlob = GpuDriver.Options.defaults().gpuFeatures()
                & ~dev.neep.gpu.protocol.GpuFeatures.mask(dev.neep.gpu.protocol.GpuFeatures.RESOURCE_BLOB);
        try (Harness plain = Harness.start(DeviceConfig.defaults(), new TestBackend.Provider("test"),
                GpuDriver.Options.defaults().withGpuFeatures(noBlob), 4 << 20)) {
            assertFalse(plain.driver.hasGpuFeature(dev.neep.gpu.protocol.GpuFeatures.RESOURCE_BLOB));
            assertEquals(RESP_ERR_INVALID_PARAMETER, plain.driver.setScanoutBlob(0, 1, ALL, W, H,
                    Formats.B8G8R8A8_UNORM, W * 4, 0).type());
        }
    }
}
