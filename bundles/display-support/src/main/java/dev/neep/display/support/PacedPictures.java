package dev.neep.display.support;

import dev.neep.gpu.api.Frame;
import dev.neep.gpu.protocol.Rect;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.osgi.annotation.versioning.ConsumerType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The newest picture of each scanout, handed from the device's thread to a worker thread of its
 * own that does the slow part (PNG encoding, file writes), at most once per scanout per interval.
 *
 * <p>The device's thread calls {@link #update}: the frame's pixels inside the dirty rectangle go
 * into the scanout's current {@link Picture}, which is marked changed, and the call returns;
 * nothing else happens on that thread. The worker takes a changed picture by copying it under
 * the lock and runs the {@link Work} on the copy without the lock: a scanout's first change at
 * once, later ones once the interval since its previous take has passed, so the last change of
 * a burst is always taken (a trailing take) and the ones in between are folded into it. Under
 * the lock again, it hands the result to {@link Done}, unless the scanout was {@link #clear
 * cleared} meanwhile. A failing work is logged once, then at debug until one succeeds.
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
        R run(int scanoutId, long take, Picture picture) throws IOException;
    }

    /** Publishing a result. */
    @FunctionalInterface
    @ConsumerType
    public interface Done<R> {
        /** Worker thread, under the lock: what {@link Work} returned for {@code picture}. */
        void accept(int scanoutId, Picture picture, R result);
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
    private final Map<Integer, Slot> slots = new TreeMap<>();
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
     * Device's thread: the frame's pixels inside {@code dirty} (clipped to the frame) go into
     * the scanout's picture, all of them when the frame's size or alpha changed (see
     * {@link Picture#update}); converted now, since the frame is only valid during the call.
     *
     * @throws IllegalArgumentException if the frame's format is not a 2D format
     */
    public void update(int scanoutId, Frame frame, Rect dirty) {
        lock.lock();
        try {
            if (closing) {
                return;
            }
            Slot slot = slot(scanoutId);
            if (slot.current == null) {
                slot.current = new Picture();
            }
            slot.current.update(frame, dirty);
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
    public void restart(int scanoutId) {
        lock.lock();
        try {
            Slot slot = slot(scanoutId);
            slot.current = null;
            slot.changed = false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The scanout shows nothing now: as {@link #restart}, and the result of a take in progress
     * does not reach {@link Done}.
     */
    public void clear(int scanoutId) {
        lock.lock();
        try {
            restart(scanoutId);
            slot(scanoutId).generation++;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The scanout's newest picture, to read under the lock; null before its first update and
     * after {@link #restart} or {@link #clear}.
     */
    public Picture current(int scanoutId) {
        lock.lock();
        try {
            Slot slot = slots.get(scanoutId);
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
    private Slot slot(int scanoutId) {
        return slots.computeIfAbsent(scanoutId, Slot::new);
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
        Picture picture = slot.spare != null ? slot.spare : new Picture();
        slot.spare = null;
        picture.copyOf(slot.current);
        slot.changed = false;
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
        final int id;
        /** The newest picture, updated in place by the device's thread; null until a frame comes. */
        Picture current;
        /** Whether {@link #current} changed since the worker last took it. */
        boolean changed;
        /** The worker's copy of {@link #current}, kept for its next take. */
        Picture spare;
        long nextTakeAt = System.nanoTime();
        long takes;
        /** Bumped by {@link PacedPictures#clear}: a take from before does not reach {@link Done}. */
        long generation;

        Slot(int id) {
            this.id = id;
        }
    }
}
