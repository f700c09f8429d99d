package dev.neep.testkit;

import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.api.Frames;
import dev.neep.gpu.api.Pixels;
import dev.neep.gpu.api.Scanout;
import dev.neep.gpu.api.ScanoutId;
import dev.neep.gpu.protocol.Rect;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * A display sink for tests: keeps the last frame of each scanout as ARGB pixels, ready for
 * {@link TestPattern#compare}, and waits for one with a bound.
 */
public final class FrameSink implements DisplaySink {
    private final Map<Integer, Scanout> scanouts = new ConcurrentHashMap<>();
    private final Map<Integer, int[]> frames = new ConcurrentHashMap<>();

    @Override
    public void scanoutChanged(ScanoutId id, Scanout scanout) {
        int scanoutId = id.scanout();
        if (scanout == null) {
            scanouts.remove(scanoutId);
            frames.remove(scanoutId);
        } else {
            scanouts.put(scanoutId, scanout);
        }
    }

    @Override
    public synchronized void frameUpdated(ScanoutId id, Rect dirty, Pixels pixels) {
        int[] argb = new int[pixels.width() * pixels.height()];
        if (pixels.read(f -> Frames.toArgb(f, new Rect(0, 0, f.width(), f.height()), argb))) {
            frames.put(id.scanout(), argb);
            notifyAll();
        }
    }

    /** The scanout's geometry as the device last set it, if it is on. */
    public Scanout scanout(int scanoutId) {
        return scanouts.get(scanoutId);
    }

    /** The last frame of {@code scanoutId}, waiting at most {@code bound} for the first. */
    public int[] awaitFrame(int scanoutId, Duration bound) throws InterruptedException {
        return awaitFrame(scanoutId, bound, frame -> true);
    }

    /**
     * The first frame of {@code scanoutId} that {@code wanted} accepts, waiting at most
     * {@code bound}: sinks are told of frames on a thread of their own, so a later update may
     * arrive after the test's command was answered.
     */
    public synchronized int[] awaitFrame(int scanoutId, Duration bound, Predicate<int[]> wanted)
            throws InterruptedException {
        long end = System.nanoTime() + bound.toNanos();
        while (!frames.containsKey(scanoutId) || !wanted.test(frames.get(scanoutId))) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError((frames.containsKey(scanoutId) ? "no wanted frame" : "no frame")
                        + " on scanout " + scanoutId + " within " + bound);
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return frames.get(scanoutId);
    }
}
