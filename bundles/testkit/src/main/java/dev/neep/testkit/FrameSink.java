package dev.neep.testkit;

import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.api.Frame;
import dev.neep.gpu.api.Scanout;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.Rect;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A display sink for tests: keeps the last frame of each scanout as ARGB pixels, ready for
 * {@link TestPattern#compare}, and waits for one with a bound.
 */
public final class FrameSink implements DisplaySink {
    private final Map<Integer, Scanout> scanouts = new ConcurrentHashMap<>();
    private final Map<Integer, int[]> frames = new ConcurrentHashMap<>();

    @Override
    public void scanoutChanged(int scanoutId, Scanout scanout) {
        if (scanout == null) {
            scanouts.remove(scanoutId);
            frames.remove(scanoutId);
        } else {
            scanouts.put(scanoutId, scanout);
        }
    }

    @Override
    public synchronized void frameUpdated(int scanoutId, Rect dirty, Frame frame) {
        int[] argb = new int[frame.width() * frame.height()];
        int base = frame.pixels().position();
        for (int y = 0; y < frame.height(); y++) {
            Formats.toArgb(frame.format(), frame.pixels(), base + y * frame.stride(), argb, y * frame.width(),
                    frame.width());
        }
        frames.put(scanoutId, argb);
        notifyAll();
    }

    /** The scanout's geometry as the device last set it, if it is on. */
    public Scanout scanout(int scanoutId) {
        return scanouts.get(scanoutId);
    }

    /** The last frame of {@code scanoutId}, waiting at most {@code bound} for the first. */
    public synchronized int[] awaitFrame(int scanoutId, Duration bound) throws InterruptedException {
        long end = System.nanoTime() + bound.toNanos();
        while (!frames.containsKey(scanoutId)) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no frame on scanout " + scanoutId + " within " + bound);
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return frames.get(scanoutId);
    }
}
