package dev.neep.gpu.device.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.neep.gpu.api.CursorImage;
import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.api.Frames;
import dev.neep.gpu.api.Pixels;
import dev.neep.gpu.api.Scanout;
import dev.neep.gpu.api.ScanoutId;
import dev.neep.gpu.protocol.Rect;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A sink that blocks in its first frameUpdated until {@link #release} opens, then reads every
 * picture it is given and keeps those it read whole (with their dirty rectangles), in order.
 */
final class GatedSink implements DisplaySink {
    private static final long WAIT_MS = 10_000;

    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicInteger calls = new AtomicInteger();
    volatile Pixels last;
    private final List<int[]> pictures = new ArrayList<>();
    private final List<Rect> dirty = new ArrayList<>();
    private CursorImage cursor;

    @Override
    public void scanoutChanged(ScanoutId id, Scanout scanout) {
    }

    @Override
    public void frameUpdated(ScanoutId id, Rect r, Pixels pixels) {
        calls.incrementAndGet();
        entered.countDown();
        try {
            release.await(WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int[] argb = new int[pixels.width() * pixels.height()];
        boolean whole = pixels.read(f -> Frames.toArgb(f, new Rect(0, 0, f.width(), f.height()), argb));
        last = pixels;
        if (whole) {
            synchronized (this) {
                pictures.add(argb);
                dirty.add(r);
                notifyAll();
            }
        }
    }

    @Override
    public synchronized void cursorDefined(ScanoutId id, CursorImage image) {
        cursor = image;
        notifyAll();
    }

    /** The pictures read whole so far. */
    synchronized List<int[]> pictures() {
        return new ArrayList<>(pictures);
    }

    /** The dirty rectangle of picture {@code i}. */
    synchronized Rect dirty(int i) {
        return dirty.get(i);
    }

    /** The last pixel of the newest picture read whole; 0 before any. */
    synchronized int lastColour() {
        if (pictures.isEmpty()) {
            return 0;
        }
        int[] newest = pictures.get(pictures.size() - 1);
        return newest[newest.length - 1];
    }

    /** Waits until {@code n} pictures were read whole, and checks that no more came. */
    synchronized List<int[]> await(int n) throws InterruptedException {
        long end = System.currentTimeMillis() + WAIT_MS;
        while (pictures.size() < n && System.currentTimeMillis() < end) {
            wait(Math.max(1, end - System.currentTimeMillis()));
        }
        assertEquals("pictures delivered", n, pictures.size());
        return new ArrayList<>(pictures);
    }

    synchronized CursorImage awaitCursor() throws InterruptedException {
        long end = System.currentTimeMillis() + WAIT_MS;
        while (cursor == null && System.currentTimeMillis() < end) {
            wait(Math.max(1, end - System.currentTimeMillis()));
        }
        assertTrue("a cursor arrived", cursor != null);
        return cursor;
    }
}
