package dev.neep.gpu.device.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.api.Frame;
import dev.neep.gpu.api.HeldFrame;
import dev.neep.gpu.api.Holds;
import dev.neep.gpu.api.Pixels;
import dev.neep.gpu.api.Scanout;
import dev.neep.gpu.api.ScanoutId;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.Rect;
import dev.neep.virtio.OnceLog;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Test;
import org.slf4j.LoggerFactory;

/**
 * What waits for a busy sink: held pictures in turn, a few; everything else folded, at most one
 * change of each kind per scanout, in order.
 */
public class SinkLaneTest {
    private static final Pixels PIXELS = Pixels.of(
            new Frame(Formats.B8G8R8X8_UNORM, 16, 16, 64, ByteBuffer.allocate(64 * 16)));
    private static final Scanout SHOWN = new Scanout(1, Formats.B8G8R8X8_UNORM, 0, 0, 16, 16);

    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final CountDownLatch busy = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final SinkLane lane = new SinkLane(new DisplaySink() {
        @Override
        public void scanoutChanged(ScanoutId id, Scanout scanout) {
            calls.add(id + " scanout " + (scanout == null ? "off" : scanout.resourceId()));
            busy.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void frameUpdated(ScanoutId id, Rect dirty, Pixels pixels) {
            calls.add(id + " frame " + dirty.x() + "," + dirty.y() + " " + dirty.width() + "x" + dirty.height());
        }

        @Override
        public void cursorMoved(ScanoutId id, int x, int y) {
            calls.add(id + " move " + x + "," + y);
        }
    }, "dev", new OnceLog(LoggerFactory.getLogger(SinkLaneTest.class), "test"));

    @After
    public void stop() {
        release.countDown();
        lane.stop();
    }

    @Test
    public void changesWaitingForABusySinkAreFoldedIntoTheNewest() throws Exception {
        lane.scanoutChanged(0, SHOWN);
        assertTrue(busy.await(10, TimeUnit.SECONDS));
        // The sink is busy in its first call: these wait, and fold.
        lane.frameUpdated(0, new Rect(0, 0, 2, 2), PIXELS);
        lane.frameUpdated(0, new Rect(8, 8, 4, 4), PIXELS);
        lane.cursorMoved(0, 1, 1);
        lane.cursorMoved(0, 5, 6);
        lane.frameUpdated(1, new Rect(1, 1, 1, 1), PIXELS);
        release.countDown();
        lane.awaitIdle();
        assertEquals(List.of("dev:0 scanout 1", "dev:0 frame 0,0 12x12", "dev:0 move 5,6", "dev:1 frame 1,1 1x1"),
                calls);
    }

    @Test
    public void heldPicturesWaitInTurnUntilThreeWaitAndTheirHoldsAreGivenBack() throws Exception {
        List<CountedHold> holds = waitAndFlush(16, 16, 5);
        assertEquals(List.of("dev:0 scanout 1", "dev:0 frame 0,0 1x1", "dev:0 frame 1,1 1x1", "dev:0 frame 2,2 3x3"),
                calls);
        holds.forEach(h -> assertFalse("a hold left on " + h, h.holds.held()));
    }

    @Test
    public void bigHeldPicturesWaitFewer() throws Exception {
        // 4096x2304 is 36 MiB a picture: one waits within MAX_WAITING_BYTES, the next folds into it.
        List<CountedHold> holds = waitAndFlush(4096, 2304, 3);
        assertEquals(List.of("dev:0 scanout 1", "dev:0 frame 0,0 3x3"), calls);
        holds.forEach(h -> assertFalse("a hold left on " + h, h.holds.held()));
    }

    /**
     * While the sink is busy with a geometry change, {@code n} held pictures of {@code w x h},
     * flush {@code i} dirtying a 1x1 rectangle at (i, i), each flush's own hold given back as the
     * device does once the lanes took theirs; then the sink is let go.
     */
    private List<CountedHold> waitAndFlush(int w, int h, int n) throws Exception {
        lane.scanoutChanged(0, SHOWN);
        assertTrue(busy.await(10, TimeUnit.SECONDS));
        ScanoutView view = new ScanoutView(new PixelSeqlock(), new OnceLog(LoggerFactory.getLogger(SinkLaneTest.class),
                "test"));
        Frame frame = new Frame(Formats.B8G8R8X8_UNORM, w, h, w * 4, ByteBuffer.allocate(4));
        List<CountedHold> holds = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            CountedHold held = new CountedHold(frame);
            holds.add(held);
            ScanoutView.Flushed pixels = view.flushed(frame, held, f -> f);
            lane.frameUpdated(0, new Rect(i, i, 1, 1), pixels);
            pixels.release();
        }
        release.countDown();
        lane.awaitIdle();
        return holds;
    }

    /** A held picture that only counts its holds. */
    private static final class CountedHold implements HeldFrame {
        final Holds holds = new Holds(() -> { });
        private final Frame frame;

        CountedHold(Frame frame) {
            this.frame = frame;
            holds.take();
        }

        @Override
        public Frame frame() {
            return frame;
        }

        @Override
        public boolean hold() {
            return holds.hold();
        }

        @Override
        public void release() {
            holds.release();
        }

        @Override
        public Frame now() {
            return frame;
        }
    }

    @Test
    public void aNewGeometryDropsTheUpdatesOfTheOldOne() throws Exception {
        lane.scanoutChanged(0, SHOWN);
        assertTrue(busy.await(10, TimeUnit.SECONDS));
        lane.frameUpdated(0, new Rect(0, 0, 2, 2), PIXELS);
        lane.scanoutChanged(0, null);
        release.countDown();
        lane.awaitIdle();
        assertEquals(List.of("dev:0 scanout 1", "dev:0 scanout off"), calls);
    }
}
