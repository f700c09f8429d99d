package dev.neep.gpu.device.internal;

import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.api.Frames;
import dev.neep.gpu.api.Pixels;
import dev.neep.gpu.api.Scanout;
import dev.neep.gpu.api.ScanoutId;
import dev.neep.gpu.protocol.Rect;
import dev.neep.virtio.OnceLog;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One sink of one device, with a thread of its own that makes the sink's calls, so that a sink
 * that is slow, blocks or throws holds up nobody but itself.
 *
 * <p>The device thread records what happened and returns at once. Held pictures (see
 * {@link ScanoutView.Flushed}) wait in turn, each holding its own pixels, up to
 * {@link #MAX_WAITING} per scanout ({@link #MAX_WAITING_BYTES} for big ones), so a sink that keeps up gets every flushed picture; past that
 * the sink is behind, and the newest update folds into the last one waiting (dirty rectangles
 * unite and the newest pixels win). Live pixels fold at once: they are read when delivered anyway.
 * A new geometry drops the updates of the old one; cursors keep their newest picture and position.
 * The lane thread delivers a scanout's pending changes in their natural order: geometry, pixels,
 * cursor picture, cursor position. So what waits for a sink is bounded by the number of
 * scanouts, and what it gets last is the newest.
 */
final class SinkLane implements SinkCalls {
    /** How long {@link #awaitStopped} waits for a call in progress to end. */
    static final long STOP_WAIT_MS = 2_000;
    /** Held pictures waiting per scanout before updates fold: enough to ride out a sink's hiccup. */
    static final int MAX_WAITING = 3;
    /**
     * Bytes of held pictures waiting per scanout before updates fold, so that big scanouts wait
     * fewer (4K: one): what a sink that lags keeps alive stays within what the pixel pool holds.
     */
    static final long MAX_WAITING_BYTES = 64L << 20;

    private final DisplaySink sink;
    private final String device;
    private final OnceLog log;
    private final Thread thread;
    /** Guarded by {@code this}; in the order scanouts first changed since they were last delivered. */
    private final Map<Integer, Pending> pending = new LinkedHashMap<>();
    /** Guarded by {@code this}. */
    private boolean stopped;
    /** Guarded by {@code this}: the lane thread is delivering what it took. */
    private boolean delivering;

    SinkLane(DisplaySink sink, String device, OnceLog log) {
        this.sink = sink;
        this.device = device;
        this.log = log;
        this.thread = new Thread(this::deliverLoop, "neep-sink " + device + " " + sink.getClass().getSimpleName());
        thread.setDaemon(true);
        thread.start();
    }

    DisplaySink sink() {
        return sink;
    }

    @Override
    public synchronized void scanoutChanged(int scanout, Scanout state) {
        Pending p = at(scanout);
        p.geometry = true;
        p.scanout = state;
        p.dropUpdates();
        notifyAll();
    }

    @Override
    public synchronized void frameUpdated(int scanout, Rect dirty, Pixels pixels) {
        if (stopped) {
            return;
        }
        boolean held = pixels instanceof ScanoutView.Flushed f && f.hold();
        Pending p = at(scanout);
        Update last = p.updates.peekLast();
        if (last == null || held && last.held && p.updates.size() < MAX_WAITING
                && (p.updates.size() + 1) * bytes(pixels) <= MAX_WAITING_BYTES) {
            p.updates.add(new Update(dirty, pixels, held));
        } else {
            last.release();
            last.dirty = Frames.union(last.dirty, dirty);
            last.pixels = pixels;
            last.held = held;
        }
        notifyAll();
    }

    @Override
    public synchronized void cursorDefined(int scanout, CursorPicture cursor) {
        if (stopped) {
            return;
        }
        Pending p = at(scanout);
        p.dropCursor();
        p.cursorDefined = true;
        p.cursor = cursor;
        p.cursorHeld = cursor != null && cursor.hold();
        notifyAll();
    }

    @Override
    public synchronized void cursorMoved(int scanout, int x, int y) {
        Pending p = at(scanout);
        p.moved = true;
        p.x = x;
        p.y = y;
        notifyAll();
    }

    /** Drops what waits and starts no further call; a call in progress is left to end. */
    synchronized void stop() {
        stopped = true;
        pending.values().forEach(p -> {
            p.dropUpdates();
            p.dropCursor();
        });
        pending.clear();
        notifyAll();
    }

    /**
     * Waits a bounded time for a call in progress to end (not from the lane's own thread, where
     * the sink is removing itself); a sink still busy then is logged and left to end on its own.
     */
    void awaitStopped() {
        if (Thread.currentThread() == thread) {
            return;
        }
        try {
            thread.join(STOP_WAIT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (thread.isAlive()) {
            log.host("sink " + name() + " stop", "a display sink's call still runs " + STOP_WAIT_MS
                    + " ms after it was unbound; it is left to end on its own", null);
        }
    }

    /** Waits until everything recorded so far was delivered (tests, and callers that need settled sinks). */
    synchronized void awaitIdle() throws InterruptedException {
        while ((delivering || !pending.isEmpty()) && !stopped) {
            wait();
        }
    }

    /** As {@link #awaitIdle}, until {@code deadline} ({@link System#nanoTime}); whether the lane went idle. */
    synchronized boolean awaitIdle(long deadline) throws InterruptedException {
        while ((delivering || !pending.isEmpty()) && !stopped) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    private static long bytes(Pixels pixels) {
        return 4L * pixels.width() * pixels.height();
    }

    private Pending at(int scanout) {
        return pending.computeIfAbsent(scanout, s -> new Pending());
    }

    private void deliverLoop() {
        while (true) {
            int scanout;
            Pending p;
            synchronized (this) {
                delivering = false;
                notifyAll();
                while (pending.isEmpty() && !stopped) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        // Only stop() ends the lane; an interrupt meant for the sink's call is spent.
                    }
                }
                if (stopped) {
                    return;
                }
                Iterator<Map.Entry<Integer, Pending>> first = pending.entrySet().iterator();
                Map.Entry<Integer, Pending> e = first.next();
                delivering = true;
                scanout = e.getKey();
                p = e.getValue();
                if (p.updates.size() > 1) {
                    // One held picture at a time: the rest keep waiting here, where new ones count against them.
                    p = p.takeGeometryAndFirstUpdate();
                } else {
                    first.remove();
                }
            }
            deliver(new ScanoutId(device, scanout), p);
        }
    }

    private void deliver(ScanoutId id, Pending p) {
        if (p.geometry) {
            guarded("scanoutChanged", s -> s.scanoutChanged(id, p.scanout));
        }
        for (Update u : p.updates) {
            guarded("frameUpdated", s -> s.frameUpdated(id, u.dirty, u.pixels));
            u.release();
        }
        if (p.cursorDefined) {
            guarded("cursorDefined", s -> s.cursorDefined(id, p.cursor == null ? null : p.cursor.image()));
            p.dropCursor();
        }
        if (p.moved) {
            guarded("cursorMoved", s -> s.cursorMoved(id, p.x, p.y));
        }
    }

    private void guarded(String method, Consumer<DisplaySink> call) {
        synchronized (this) {
            if (stopped) {
                return;
            }
        }
        try {
            call.accept(sink);
        } catch (RuntimeException | LinkageError e) {
            log.host("sink " + name() + "." + method, "a display sink threw; the device and the other sinks go on",
                    e);
        }
    }

    private String name() {
        return sink.getClass().getName() + "@" + Integer.toHexString(System.identityHashCode(sink));
    }

    /** What waits for the sink about one scanout. */
    private static final class Pending {
        boolean geometry;
        Scanout scanout;
        final ArrayDeque<Update> updates = new ArrayDeque<>();
        boolean cursorDefined;
        CursorPicture cursor;
        /** Whether this lane holds {@link #cursor}'s pixels. */
        boolean cursorHeld;
        boolean moved;
        int x;
        int y;

        /** What to deliver first: the geometry change, if any, and the oldest update; the rest stays. */
        Pending takeGeometryAndFirstUpdate() {
            Pending now = new Pending();
            now.geometry = geometry;
            now.scanout = scanout;
            geometry = false;
            scanout = null;
            now.updates.add(updates.poll());
            return now;
        }

        void dropCursor() {
            if (cursorHeld) {
                cursorHeld = false;
                cursor.release();
            }
        }

        void dropUpdates() {
            updates.forEach(Update::release);
            updates.clear();
        }
    }

    /** One frameUpdated waiting: its pixels held by this lane when {@code held}. */
    private static final class Update {
        Rect dirty;
        Pixels pixels;
        boolean held;

        Update(Rect dirty, Pixels pixels, boolean held) {
            this.dirty = dirty;
            this.pixels = pixels;
            this.held = held;
        }

        void release() {
            if (held) {
                held = false;
                ((ScanoutView.Flushed) pixels).release();
            }
        }
    }
}
