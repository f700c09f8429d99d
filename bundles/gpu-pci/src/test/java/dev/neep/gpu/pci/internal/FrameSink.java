package dev.neep.gpu.pci.internal;

import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.api.Frames;
import dev.neep.gpu.api.Pixels;
import dev.neep.gpu.api.Scanout;
import dev.neep.gpu.api.ScanoutId;
import dev.neep.gpu.protocol.Rect;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Keeps the last frame of each scanout as ARGB pixels; waits for one with a bound. */
final class FrameSink implements DisplaySink {
    final Map<Integer, Scanout> scanouts = new ConcurrentHashMap<>();
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
