package dev.neep.gpu.vga.internal;

import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.api.Frames;
import dev.neep.gpu.api.Pixels;
import dev.neep.gpu.api.Scanout;
import dev.neep.gpu.api.ScanoutId;
import dev.neep.gpu.protocol.Rect;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Records every call as text and keeps each scanout's picture as ARGB; waits for a frame with a bound. */
final class RecordingSink implements DisplaySink {
    final List<String> calls = new ArrayList<>();
    final Map<Integer, Scanout> scanouts = new HashMap<>();
    private final Map<Integer, int[]> pictures = new HashMap<>();
    private final Map<Integer, Integer> frameCounts = new HashMap<>();

    @Override
    public synchronized void scanoutChanged(ScanoutId id, Scanout scanout) {
        int scanoutId = id.scanout();
        calls.add("scanout " + scanoutId + " " + (scanout == null ? "off" : scanout.width() + "x" + scanout.height()
                + " resource " + scanout.resourceId()));
        if (scanout == null) {
            scanouts.remove(scanoutId);
            pictures.remove(scanoutId);
        } else {
            scanouts.put(scanoutId, scanout);
            pictures.put(scanoutId, new int[scanout.width() * scanout.height()]);
        }
        notifyAll();
    }

    @Override
    public synchronized void frameUpdated(ScanoutId id, Rect dirty, Pixels frame) {
        int scanoutId = id.scanout();
        calls.add("frame " + scanoutId + " " + dirty.x() + "," + dirty.y() + " " + dirty.width() + "x"
                + dirty.height());
        int[] picture = pictures.computeIfAbsent(scanoutId, k -> new int[frame.width() * frame.height()]);
        if (picture.length != frame.width() * frame.height()) {
            picture = new int[frame.width() * frame.height()];
            pictures.put(scanoutId, picture);
        }
        int[] into = picture;
        frame.read(f -> Frames.toArgb(f, Frames.clip(dirty, f.width(), f.height()), into));
        frameCounts.merge(scanoutId, 1, Integer::sum);
        notifyAll();
    }

    synchronized int[] picture(int scanoutId) {
        return pictures.get(scanoutId);
    }

    synchronized int frames(int scanoutId) {
        return frameCounts.getOrDefault(scanoutId, 0);
    }

    /**
     * Takes the calls once there are at least {@code count}: the device calls a sink on a thread
     * of the sink's own, so they may come after the action that caused them has returned.
     */
    synchronized List<String> awaitCalls(int count, Duration bound) throws InterruptedException {
        long end = System.nanoTime() + bound.toNanos();
        while (calls.size() < count) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("fewer than " + count + " sink calls within " + bound + ": " + calls);
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return takeCalls();
    }

    synchronized List<String> takeCalls() {
        List<String> taken = List.copyOf(calls);
        calls.clear();
        return taken;
    }

    /** Waits until scanout {@code scanoutId} shows a resource other than {@code notResource} and has a frame. */
    synchronized int[] awaitResourceFrame(int scanoutId, int notResource, int framesBefore, Duration bound)
            throws InterruptedException {
        long end = System.nanoTime() + bound.toNanos();
        while (true) {
            Scanout s = scanouts.get(scanoutId);
            if (s != null && s.resourceId() != notResource && frames(scanoutId) > framesBefore) {
                return pictures.get(scanoutId);
            }
            long left = end - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no frame of a resource on scanout " + scanoutId + " within " + bound
                        + "; calls: " + calls);
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }
}
