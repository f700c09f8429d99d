package dev.neep.display.support;

import static dev.neep.display.support.PictureTest.uniform;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.neep.gpu.api.Pixels;
import dev.neep.gpu.api.ScanoutId;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.Rect;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.After;
import org.junit.Test;

public class PacedPicturesTest {
    private static final long WAIT_MS = 10_000;
    private static final Rect ALL = new Rect(0, 0, 2, 2);

    /** "work <scanout> <take> <colour>" and "done <scanout> <result>", in the order they happen. */
    private final BlockingQueue<String> seen = new LinkedBlockingQueue<>();
    private PacedPictures<String> pictures;

    @After
    public void close() {
        if (pictures != null) {
            pictures.close();
        }
    }

    @Test
    public void firstChangeIsTakenAtOnceAndABurstIsFoldedIntoOneTrailingTake() throws Exception {
        long interval = 500;
        pictures = started(interval, PacedPictures.OnClose.DROP, null);
        long begin = System.nanoTime();
        pictures.update(id(3), frame(1), ALL);
        assertEquals("work 3 1 1", next());
        assertEquals("done 3 1", next());
        for (int i = 2; i <= 6; i++) {
            pictures.update(id(3), frame(i), ALL);
        }
        assertEquals("the burst's last change", "work 3 2 6", next());
        long elapsedMs = (System.nanoTime() - begin) / 1_000_000;
        assertTrue("trailing take after " + elapsedMs + " ms, before the interval", elapsedMs >= interval);
        assertEquals("done 3 2", next());
        assertNull("nothing else was taken", seen.poll(interval + 200, TimeUnit.MILLISECONDS));
    }

    @Test
    public void scanoutsArePacedEachOnItsOwn() throws Exception {
        pictures = started(60_000, PacedPictures.OnClose.DROP, null);
        pictures.update(id(0), frame(1), ALL);
        assertEquals("work 0 1 1", next());
        assertEquals("done 0 1", next());
        pictures.update(id(1), frame(2), ALL);
        assertEquals("work 1 1 2", next());
    }

    @Test
    public void aClearedScanoutGetsNoResultOfATakeInProgressButARestartedOneDoes() throws Exception {
        CountDownLatch working = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        pictures = started(0, PacedPictures.OnClose.DROP, () -> {
            working.countDown();
            finish.await(WAIT_MS, TimeUnit.MILLISECONDS);
        });
        pictures.update(id(0), frame(1), ALL);
        assertTrue(working.await(WAIT_MS, TimeUnit.MILLISECONDS));
        pictures.clear(id(0));
        assertNull(pictures.current(id(0)));
        finish.countDown();
        assertEquals("work 0 1 1", next());
        pictures.update(id(0), frame(2), ALL);
        assertEquals("the cleared take's result was dropped", "work 0 2 2", next());
        assertEquals("done 0 2", next());

        pictures.restart(id(0));
        assertNull(pictures.current(id(0)));
        pictures.update(id(0), frame(3), new Rect(0, 0, 1, 1));
        assertEquals("work 0 3 3", next());
        assertEquals("after a restart the next frame is taken whole", 3, pictures.current(id(0)).toImage().getRGB(1, 1) & 0xff);
    }

    @Test
    public void closeWithFlushTakesPendingChangesAtOnce() throws Exception {
        pictures = started(60_000, PacedPictures.OnClose.FLUSH, null);
        pictures.update(id(0), frame(1), ALL);
        assertEquals("work 0 1 1", next());
        assertEquals("done 0 1", next());
        pictures.update(id(0), frame(2), ALL);
        pictures.update(id(0), frame(3), ALL);
        pictures.close();
        List<String> flushed = new ArrayList<>();
        seen.drainTo(flushed);
        assertEquals(List.of("work 0 2 3", "done 0 2"), flushed);
        pictures.update(id(0), frame(4), ALL);
        assertNull("updates after close are dropped", seen.poll(200, TimeUnit.MILLISECONDS));
    }

    @Test
    public void closeWithDropDropsPendingChanges() throws Exception {
        pictures = started(60_000, PacedPictures.OnClose.DROP, null);
        pictures.update(id(0), frame(1), ALL);
        assertEquals("work 0 1 1", next());
        assertEquals("done 0 1", next());
        pictures.update(id(0), frame(2), ALL);
        pictures.close();
        assertNull(seen.poll(200, TimeUnit.MILLISECONDS));
    }

    @Test
    public void aFailedWorkGetsNoResultAndTheWorkerGoesOn() throws Exception {
        pictures = new PacedPictures<>("test-worker", new ReentrantLock(), 0, PacedPictures.OnClose.DROP,
                (scanoutId, take, picture) -> {
                    seen.add("work " + scanoutId.scanout() + " " + take);
                    if (take == 1) {
                        throw new IOException("disk full");
                    }
                    return "ok";
                }, (scanoutId, picture, result) -> seen.add("done " + scanoutId.scanout() + " " + result));
        pictures.start();
        pictures.update(id(0), frame(1), ALL);
        assertEquals("work 0 1", next());
        pictures.update(id(0), frame(2), ALL);
        assertEquals("work 0 2", next());
        assertEquals("done 0 ok", next());
    }

    private interface Pause {
        void during() throws InterruptedException;
    }

    private PacedPictures<String> started(long intervalMs, PacedPictures.OnClose onClose, Pause pause) {
        PacedPictures<String> p = new PacedPictures<>("test-worker", new ReentrantLock(), intervalMs, onClose,
                (scanoutId, take, picture) -> {
                    if (pause != null) {
                        try {
                            pause.during();
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                    seen.add("work " + scanoutId.scanout() + " " + take + " " + (picture.toImage().getRGB(0, 0) & 0xff));
                    return Long.toString(take);
                }, (scanoutId, picture, result) -> seen.add("done " + scanoutId.scanout() + " " + result));
        p.start();
        return p;
    }

    private static ScanoutId id(int scanout) {
        return new ScanoutId(ScanoutId.DEFAULT_DEVICE, scanout);
    }

    /** A 2 x 2 picture whose blue channel is {@code n}. */
    private static Pixels frame(int n) {
        return uniform(Formats.B8G8R8X8_UNORM, 2, 2, 0xff000000 | n);
    }

    private String next() throws InterruptedException {
        String s = seen.poll(WAIT_MS, TimeUnit.MILLISECONDS);
        assertNotNull("nothing after " + WAIT_MS + " ms", s);
        return s;
    }
}
