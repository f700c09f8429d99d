package dev.neep.gpu.device.internal;

import dev.neep.gpu.api.CursorImage;
import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.api.Frame;
import dev.neep.gpu.api.Scanout;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.Rect;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A display sink that writes down every call, the thread it came on, and copies of the pixels. */
final class RecordingSink implements DisplaySink {
    final List<String> events = new CopyOnWriteArrayList<>();
    final Set<String> threads = ConcurrentHashMap.newKeySet();
    final Map<Integer, Scanout> scanouts = new ConcurrentHashMap<>();
    final Map<Integer, int[]> frames = new ConcurrentHashMap<>();
    final Map<Integer, CursorImage> cursors = new ConcurrentHashMap<>();
    volatile RuntimeException toThrow;

    @Override
    public void scanoutChanged(int scanoutId, Scanout scanout) {
        record("scanout " + scanoutId + " " + scanout);
        if (scanout == null) {
            scanouts.remove(scanoutId);
            frames.remove(scanoutId);
        } else {
            scanouts.put(scanoutId, scanout);
        }
        maybeThrow();
    }

    @Override
    public void frameUpdated(int scanoutId, Rect dirty, Frame frame) {
        record("frame " + scanoutId + " " + dirty + " " + frame.width() + "x" + frame.height());
        int[] argb = new int[frame.width() * frame.height()];
        int base = frame.pixels().position();
        for (int y = 0; y < frame.height(); y++) {
            Formats.toArgb(frame.format(), frame.pixels(), base + y * frame.stride(), argb, y * frame.width(),
                    frame.width());
        }
        frames.put(scanoutId, argb);
        maybeThrow();
    }

    @Override
    public void cursorDefined(int scanoutId, CursorImage cursor) {
        record("cursor " + scanoutId + " " + (cursor == null ? "hidden" : cursor.width() + "x" + cursor.height()
                + " hot " + cursor.hotX() + "," + cursor.hotY()));
        if (cursor == null) {
            cursors.remove(scanoutId);
        } else {
            cursors.put(scanoutId, cursor);
        }
        maybeThrow();
    }

    @Override
    public void cursorMoved(int scanoutId, int x, int y) {
        record("move " + scanoutId + " " + x + "," + y);
        maybeThrow();
    }

    long count(String prefix) {
        return events.stream().filter(e -> e.startsWith(prefix)).count();
    }

    private void record(String event) {
        threads.add(Thread.currentThread().getName());
        events.add(event);
    }

    private void maybeThrow() {
        RuntimeException e = toThrow;
        if (e != null) {
            throw e;
        }
    }
}
