package dev.neep.gpu.device.internal;

import dev.neep.gpu.api.CursorImage;
import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.api.Frames;
import dev.neep.gpu.api.Pixels;
import dev.neep.gpu.api.Scanout;
import dev.neep.gpu.api.ScanoutId;
import dev.neep.gpu.protocol.Rect;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A display sink that writes down every call, the thread it came on, and copies of the pixels.
 * The device calls sinks from threads of their own, so every accessor first lets the device
 * settle (the harness's {@link #settleWith}): what it shows is what the commands so far did.
 */
final class RecordingSink implements DisplaySink {
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final Set<String> threads = ConcurrentHashMap.newKeySet();
    private final Set<String> devices = ConcurrentHashMap.newKeySet();
    private final Map<Integer, Scanout> scanouts = new ConcurrentHashMap<>();
    private final Map<Integer, int[]> frames = new ConcurrentHashMap<>();
    private final Map<Integer, CursorImage> cursors = new ConcurrentHashMap<>();
    private volatile Runnable settle = () -> { };
    volatile RuntimeException toThrow;

    /** What each accessor runs first: waiting until the device told its sinks what it did. */
    RecordingSink settleWith(Runnable s) {
        this.settle = s;
        return this;
    }

    List<String> events() {
        settle.run();
        return events;
    }

    Set<String> threads() {
        settle.run();
        return threads;
    }

    Set<String> devices() {
        settle.run();
        return devices;
    }

    Map<Integer, Scanout> scanouts() {
        settle.run();
        return scanouts;
    }

    Map<Integer, int[]> frames() {
        settle.run();
        return frames;
    }

    Map<Integer, CursorImage> cursors() {
        settle.run();
        return cursors;
    }

    long count(String prefix) {
        return events().stream().filter(e -> e.startsWith(prefix)).count();
    }

    @Override
    public void scanoutChanged(ScanoutId id, Scanout scanout) {
        record(id, "scanout " + id.scanout() + " " + scanout);
        if (scanout == null) {
            scanouts.remove(id.scanout());
            frames.remove(id.scanout());
        } else {
            scanouts.put(id.scanout(), scanout);
        }
        maybeThrow();
    }

    @Override
    public void frameUpdated(ScanoutId id, Rect dirty, Pixels pixels) {
        record(id, "frame " + id.scanout() + " " + dirty + " " + pixels.width() + "x" + pixels.height());
        int[] argb = new int[pixels.width() * pixels.height()];
        if (pixels.read(f -> Frames.toArgb(f, new Rect(0, 0, f.width(), f.height()), argb))) {
            frames.put(id.scanout(), argb);
        }
        maybeThrow();
    }

    @Override
    public void cursorDefined(ScanoutId id, CursorImage cursor) {
        record(id, "cursor " + id.scanout() + " " + (cursor == null ? "hidden" : cursor.width() + "x"
                + cursor.height() + " hot " + cursor.hotX() + "," + cursor.hotY()));
        if (cursor == null) {
            cursors.remove(id.scanout());
        } else {
            cursors.put(id.scanout(), cursor);
        }
        maybeThrow();
    }

    @Override
    public void cursorMoved(ScanoutId id, int x, int y) {
        record(id, "move " + id.scanout() + " " + x + "," + y);
        maybeThrow();
    }

    private void record(ScanoutId id, String event) {
        threads.add(Thread.currentThread().getName());
        devices.add(id.device());
        events.add(event);
    }

    private void maybeThrow() {
        RuntimeException e = toThrow;
        if (e != null) {
            throw e;
        }
    }
}
