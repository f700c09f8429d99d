package dev.neep.display.support;

import dev.neep.gpu.api.Pixels;
import dev.neep.gpu.api.ScanoutId;
import dev.neep.gpu.protocol.Rect;
import java.io.IOException;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.osgi.annotation.versioning.ConsumerType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The newest picture of each scanout, handed from the sink's calls to a worker thread of its own
 * that reads the pixels and does the slow part (PNG encoding, file writes), at most once per
 * scanout per interval.
 *
 * <p>The sink's {@code frameUpdated} calls {@link #update}, which only notes the scanout's newest
 * {@link Pixels} and the union of the dirty rectangles not yet read, and returns. The worker
 * takes a changed scanout: under the lock it reads and converts just that dirty rectangle into
 * the scanout's current {@link Picture} and copies the picture, then runs the {@link Work} on the
 * copy without the lock: a scanout's first change at once, later ones once the interval since its
 * previous take has passed, so the last change of a burst is always taken (a trailing take) and
 * the ones in between are folded into it. A read that was not whole (see {@link Pixels#read})
 * keeps its rectangle for the next update, which is on its way, so the last take shows the
 * newest picture. Under the lock again, the worker hands the result to {@link Done}, unless the
 * scanout was {@link #clear cleared} meanwhile. A failing work is logged once, then at debug
 * until one succeeds.
 *
 * <p>{@link #close} stops the worker: with {@link OnClose#FLUSH} the changed pictures are taken
 * at once, ignoring the interval, before it stops; with {@link OnClose#DROP} they are dropped.
 * Updates after close are dropped.
 *
 * @param <R> what the work makes of a picture
 */
public final class PacedPictures<R> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PacedPictures.class);
    private static final long CLOSE_WAIT_MS = 10_000;

    /** What {@link #close} does with changes not yet taken. */
    public enum OnClose {
        FLUSH, DROP
    }

    /** The slow part. */
    @FunctionalInterface
    @ConsumerType
    public interface Work<R> {
        /**
         * Worker thread, without the lock. {@code picture} is the worker's until this returns;
         * {@code take} counts the takes of this scanout, from 1.
         */
        R run(ScanoutId id, long take, Picture picture) throws IOException;
    }

    /** Publishing a result. */
    @FunctionalInterface
    @ConsumerType
    public interface Done<R> {
        /** Worker thread, under the lock: what {@link Work} returned for {@code picture}. */
        void accept(ScanoutId id, Picture picture, R result);
    }

    private final String name;
    private final ReentrantLock lock;
    /** Signalled when a picture changed or closing starts: wakes the worker. */
    private final Condition changed;
    private final long minIntervalNanos;
    private final OnClose onClose;
    private final Work<R> work;
    private final Done<R> done;
    private final Thread worker;
    /** Guarded by {@link #lock}; sorted, so that of scanouts due at once the lowest goes first. */
    private final Map<ScanoutId, Slot> slots = new TreeMap<>(
            Comparator.comparing(ScanoutId::device).thenComparingInt(ScanoutId::scanout));
    /** Guarded by {@link #lock}. */
    private boolean closing;
    /** Worker thread only: whether the last work failed, so a lasting fault is logged once. */
    private boolean failing;

    /**
     * @param threadName the worker thread's name, also in its log lines
     * @param lock guards the pictures; a sink whose own state changes with them passes the lock
     *        that guards that state, so that {@link Done} and the sink's calls here see both at once
     * @param minIntervalMs least time between two takes of one scanout; 0 takes every change the
     *        worker keeps up with
     */
    public PacedPictures(String threadName, ReentrantLock lock, long minIntervalMs, OnClose onClose, Work<R> work,
            Done<R> done) {
        this.name = threadName;
        this.lock = lock;
        this.changed = lock.newCondition();
        this.minIntervalNanos = TimeUnit.MILLISECONDS.toNanos(minIntervalMs);
        this.onClose = onClose;
        this.work = work;
        this.done = done;
        this.worker = new Thread(this::takeLoop, threadName);
        worker.setDaemon(true);
    }

    /** Starts the worker. */
    public void start() {
        worker.start();
    }

    /**
     * The sink's thread: the pixels inside {@code dirty} changed; the worker reads them (all of
     * them when the size or alpha changed, see {@link Picture#update}). Returns at once.
     */
    public void update(ScanoutId id, Pixels pixels, Rect dirty) {
        lock.lock();
        try {
            if (closing) {
                return;
            }
            Slot slot = slot(id);
            slot.pixels = pixels;
            slot.dirty = slot.dirty == null ? dirty : union(slot.dirty, dirty);
            slot.changed = true;
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The scanout's next update is taken whole, since it may come from another resource; a
     * change not yet taken is dropped.
     */
    public void restart(ScanoutId id) {
        lock.lock();
        try {
            Slot slot = slot(id);
            slot.current = null;
            slot.pixels = null;
            slot.dirty = null;
            slot.changed = false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The scanout shows nothing now: as {@link #restart}, and the result of a take in progress
     * does not reach {@link Done}.
     */
    public void clear(ScanoutId id) {
        lock.lock();
        try {
            restart(id);
            slot(id).generation++;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The scanout's newest picture, to read under the lock; null before its first update and
     * after {@link #restart} or {@link #clear}.
     */
    public Picture current(ScanoutId id) {
        lock.lock();
        try {
            Slot slot = slots.get(id);
            return slot == null ? null : slot.current;
        } finally {
            lock.unlock();
        }
    }

    /** Stops the worker as {@link OnClose} says, waiting a bounded time for it. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closing) {
                return;
            }
            closing = true;
            changed.signal();
        } finally {
            lock.unlock();
        }
        try {
            worker.join(CLOSE_WAIT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (worker.isAlive()) {
            LOG.warn("{} still busy after {} ms; leaving it to finish on its own", name, CLOSE_WAIT_MS);
        }
    }

    /** Guarded by {@link #lock}. */
    private Slot slot(ScanoutId id) {
        return slots.computeIfAbsent(id, Slot::new);
    }

    private static Rect union(Rect a, Rect b) {
        long x0 = Math.min(Integer.toUnsignedLong(a.x()), Integer.toUnsignedLong(b.x()));
        long y0 = Math.min(Integer.toUnsignedLong(a.y()), Integer.toUnsignedLong(b.y()));
        long x1 = Math.max(Integer.toUnsignedLong(a.x()) + Integer.toUnsignedLong(a.width()),
                Integer.toUnsignedLong(b.x()) + Integer.toUnsignedLong(b.width()));
        long y1 = Math.max(Integer.toUnsignedLong(a.y()) + Integer.toUnsignedLong(a.height()),
                Integer.toUnsignedLong(b.y()) + Integer.toUnsignedLong(b.height()));
        return new Rect((int) x0, (int) y0, (int) Math.min(Integer.MAX_VALUE, x1 - x0),
                (int) Math.min(Integer.MAX_VALUE, y1 - y0));
    }

    private void takeLoop() {
        lock.lock();
        try {
            while (!(closing && onClose == OnClose.DROP)) {
                Slot due = null;
                for (Slot s : slots.values()) {
                    if (s.changed && (due == null || s.nextTakeAt - due.nextTakeAt < 0)) {
                        due = s;
                    }
                }
                if (due == null) {
                    if (closing) {
                        return;
                    }
                    changed.await();
                    continue;
                }
                long now = System.nanoTime();
                if (!closing && due.nextTakeAt - now > 0) {
                    changed.awaitNanos(due.nextTakeAt - now);
                    continue;
                }
                take(due, now);
            }
        } catch (InterruptedException e) {
            LOG.warn("{} interrupted; changes not yet taken are dropped", name);
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    /** Guarded by {@link #lock}, which it lets go while the work runs. */
    private void take(Slot slot, long now) {
        slot.changed = false;
        if (slot.current == null) {
            slot.current = new Picture();
        }
        Rect dirty = slot.dirty;
        slot.dirty = null;
        boolean whole;
        try {
            whole = slot.current.update(slot.pixels, dirty);
        } catch (RuntimeException e) {
            LOG.error("{}: the pixels of scanout {} cannot be read; the scanout is skipped until its next update",
                    name, slot.id, e);
            slot.current = null;
            return;
        }
        if (!whole) {
            // A newer update or geometry is on its way: read this rectangle with it.
            slot.dirty = slot.dirty == null ? dirty : union(slot.dirty, dirty);
            return;
        }
        Picture picture = slot.spare != null ? slot.spare : new Picture();
        slot.spare = null;
        picture.copyOf(slot.current);
        slot.nextTakeAt = now + minIntervalNanos;
        long take = ++slot.takes;
        long generation = slot.generation;
        R result = null;
        boolean worked = false;
        lock.unlock();
        try {
            result = work.run(slot.id, take, picture);
            worked = true;
            failing = false;
        } catch (IOException | RuntimeException e) {
            if (!failing) {
                failing = true;
                LOG.error("{}: picture {} of scanout {} failed; further failures are logged at debug until one"
                        + " succeeds", name, take, slot.id, e);
            } else {
                LOG.debug("{}: picture {} of scanout {} failed", name, take, slot.id, e);
            }
        } finally {
            lock.lock();
        }
        slot.spare = picture;
        if (worked && slot.generation == generation) {
            done.accept(slot.id, picture, result);
        }
    }

    /** One scanout; guarded by the lock. */
    private static final class Slot {
        final ScanoutId id;
        /** The newest pixels handed over, and the part of them not yet read into {@link #current}. */
        Pixels pixels;
        Rect dirty;
        /** The newest picture, updated in place by the worker; null until a frame comes. */
        Picture current;
        /** Whether {@link #current} changed since the worker last took it. */
        boolean changed;
        /** The worker's copy of {@link #current}, kept for its next take. */
        Picture spare;
        long nextTakeAt = System.nanoTime();
        long takes;
        /** Bumped by {@link PacedPictures#clear}: a take from before does not reach {@link Done}. */
        long generation;

        Slot(ScanoutId id) {
            this.id = id;
        }
    }
}
