package dev.neep.gpu.pci.internal;

import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.api.Frame;
import dev.neep.gpu.api.Scanout;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.Rect;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Keeps the last frame of each scanout as ARGB pixels; waits for one with a bound. */
final class FrameSink implements DisplaySink {
    final Map<Integer, Scanout> scanouts = new ConcurrentHashMap<>();
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

    synchronized int[] awaitFrame(int scanoutId, Duration bound) throws InterruptedException {
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
