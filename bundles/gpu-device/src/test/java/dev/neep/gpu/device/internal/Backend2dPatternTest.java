package dev.neep.gpu.device.internal;

import static dev.neep.gpu.protocol.CtrlType.RESP_OK_NODATA;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.neep.backend2d.Backend2d;
import dev.neep.gpu.device.DeviceConfig;
import dev.neep.gpu.protocol.Blobs;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.GpuFeatures;
import dev.neep.gpu.protocol.Rect;
import dev.neep.testkit.Backing;
import dev.neep.testkit.GpuDriver;
import dev.neep.testkit.TestPattern;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** The device with the real pure-Java 2D backend: what the guest draws is what the sinks get, pixel for pixel. */
public class Backend2dPatternTest {
    private static final int W = 320;
    private static final int H = 200;

    private Harness h;
    private GpuDriver d;

    @Before
    public void start() {
        h = Harness.start(DeviceConfig.defaults(), Backend2d.provider(), GpuDriver.Options.defaults(), 16 << 20);
        d = h.driver;
    }

    @After
    public void stop() {
        h.close();
    }

    @Test
    public void twoDBackendOffersBlobsButNo3d() {
        assertFalse(d.hasGpuFeature(GpuFeatures.VIRGL));
        assertTrue(d.hasGpuFeature(GpuFeatures.RESOURCE_BLOB));
        assertEquals(0, d.config().numCapsets());
    }

    @Test
    public void drawnPatternReachesTheSinkPixelForPixel() {
        d.drawPattern(W, H);
        h.settle();
        Optional<String> mismatch = TestPattern.compare(h.sink.frames().get(0), W, W, H);
        assertEquals(Optional.empty(), mismatch);
    }

    @Test
    public void lateSinkGetsTheCurrentFrame() {
        d.drawPattern(W, H);
        RecordingSink late = new RecordingSink().settleWith(h.device::awaitIdle);
        h.device.addSink(late);
        h.settle();
        assertEquals(Optional.empty(), TestPattern.compare(late.frames().get(0), W, W, H));
    }

    @Test
    public void partialUpdateChangesOnlyTheDirtyRect() {
        GpuDriver.PatternResource p = d.drawPattern(W, H);
        ByteBuffer white = ByteBuffer.allocate(16 * 4);
        for (int i = 0; i < 16; i++) {
            white.putInt(i * 4, 0xffffffff);
        }
        int stride = W * 4;
        for (int y = 10; y < 20; y++) {
            p.backing().write((long) y * stride + 40 * 4, white.duplicate());
        }
        assertEquals(RESP_OK_NODATA, d.transferToHost2d(p.resourceId(), new Rect(40, 10, 16, 10),
                10L * stride + 40 * 4).type());
        assertEquals(RESP_OK_NODATA, d.resourceFlush(p.resourceId(), new Rect(40, 10, 16, 10)).type());
        h.settle();
        int[] frame = h.sink.frames().get(0);
        assertEquals(0xffffffff, frame[10 * W + 40]);
        assertEquals(0xffffffff, frame[19 * W + 55]);
        assertEquals(TestPattern.xrgb(39, 10, W, H) & 0xffffff, frame[10 * W + 39] & 0xffffff);
        assertEquals(TestPattern.xrgb(56, 19, W, H) & 0xffffff, frame[19 * W + 56] & 0xffffff);
    }

    @Test
    public void guestBlobScanoutShowsTheGuestPages() {
        int stride = W * 4;
        Backing pages = d.allocateBacking((long) stride * H);
        ByteBuffer row = ByteBuffer.allocate(stride);
        for (int y = 0; y < H; y++) {
            Formats.fromArgb(Formats.B8G8R8X8_UNORM, TestPattern.row(y, W, H), 0, row, 0, W);
            pages.write((long) y * stride, row.clear());
        }
        assertEquals(RESP_OK_NODATA, d.createBlob(0, 1, Blobs.BLOB_MEM_GUEST, Blobs.BLOB_FLAG_USE_SHAREABLE, 0,
                (long) stride * H, pages).type());
        assertEquals(RESP_OK_NODATA, d.setScanoutBlob(0, 1, new Rect(0, 0, W, H), W, H, Formats.B8G8R8X8_UNORM, stride,
                0).type());
        assertEquals(RESP_OK_NODATA, d.resourceFlush(1, new Rect(0, 0, W, H)).type());
        h.settle();
        assertEquals(Optional.empty(), TestPattern.compare(h.sink.frames().get(0), W, W, H));
    }

    @Test
    public void scanoutOfASubRectShowsThatPartOfTheResource() {
        d.drawPattern(W, H);
        d.setScanout(0, 1, new Rect(100, 50, 64, 32));
        d.resourceFlush(1, new Rect(0, 0, W, H));
        h.settle();
        int[] frame = h.sink.frames().get(0);
        assertEquals(64 * 32, frame.length);
        assertEquals(TestPattern.xrgb(100, 50, W, H) & 0xffffff, frame[0] & 0xffffff);
        assertEquals(TestPattern.xrgb(163, 81, W, H) & 0xffffff, frame[31 * 64 + 63] & 0xffffff);
    }
}
