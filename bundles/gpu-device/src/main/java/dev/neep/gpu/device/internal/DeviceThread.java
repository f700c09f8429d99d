package dev.neep.gpu.device.internal;

import dev.neep.virtio.NotificationSource;
import dev.neep.virtio.OnceLog;
import java.util.PriorityQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device's one command thread ({@code neep-gpu-device}), where everything of the device
 * happens: a native renderer binds its context to the thread that opened it, and one thread
 * keeps commands, fence completions and sink calls in order without locks. Other threads hand
 * work over and, where they must, wait for it.
 *
 * <p>When idle the thread sleeps until a task or a timer is due. With a transport's
 * {@link NotificationSource} ({@link #waitIn}) it sleeps in the source instead, so a driver's
 * notification wakes this thread directly and the drain it schedules runs without a second
 * thread being woken; a task handed over meanwhile {@linkplain NotificationSource#wakeUp wakes}
 * the source.
 */
final class DeviceThread {
    /** How long a transport or DS thread waits for the device thread before giving up. */
    static final long WAIT_SECONDS = 10;

    private static final Logger LOG = LoggerFactory.getLogger(DeviceThread.class);
    /** What {@link #sleeping} holds while the thread is parked rather than waiting in a source. */
    private static final Object PARKED = new Object();

    /** A task that runs on the thread once after a delay, or at a fixed delay until cancelled. */
    final class Timer {
        private final Runnable task;
        private final long periodNanos;
        private final long order;
        private long deadline;
        private boolean cancelled;

        private Timer(Runnable task, long delayNanos, long periodNanos, long order) {
            this.task = task;
            this.periodNanos = periodNanos;
            this.order = order;
            this.deadline = System.nanoTime() + delayNanos;
        }

        /** It does not run (again). Called on the device thread. */
        void cancel() {
            cancelled = true;
            timers.remove(this);
        }
    }

    private final OnceLog log;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** The thread's own, soonest first. */
    private final PriorityQueue<Timer> timers = new PriorityQueue<>((a, b) -> a.deadline != b.deadline
            ? Long.compare(a.deadline - b.deadline, 0) : Long.compare(a.order, b.order));
    /** Null while the thread runs; {@link #PARKED} or the source it waits in while it sleeps. */
    private volatile Object sleeping;
    private volatile boolean shutdown;
    /** Set before the thread's last look at {@link #tasks}: a task handed over after it does not run. */
    private volatile boolean ended;
    /** The thread's own: the source it waits in when idle, if any. */
    private NotificationSource source;
    private long timerOrder;

    DeviceThread(OnceLog log) {
        this.log = log;
        this.thread = new Thread(this::run, "neep-gpu-device");
        thread.setDaemon(true);
        thread.start();
    }

    boolean isShutdown() {
        return shutdown;
    }

    /** Runs {@code task} there later; a task that throws is logged, one given after shutdown is dropped. */
    void execute(Runnable task) {
        if (shutdown) {
            LOG.debug("virtio-gpu device closed, task dropped");
            return;
        }
        hand(guarded(task));
    }

    private void hand(Runnable task) {
        tasks.add(task);
        if (Thread.currentThread() == thread) {
            // The thread itself, inside a source's await (a notification it is handling): it
            // looks at the tasks when the await returns, so a wake-up would only cost a write,
            // a wait and a read.
            return;
        }
        Object s = sleeping;
        if (s == PARKED) {
            LockSupport.unpark(thread);
        } else if (s != null) {
            ((NotificationSource) s).wakeUp();
        }
    }

    private Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                log.host("device thread: " + e.getClass().getName(), "a device task failed", e);
            }
        };
    }

    /**
     * Runs {@code task} there once, {@code millis} milliseconds from now, unless cancelled first;
     * a task that throws is logged. Called on the device thread.
     */
    Timer after(long millis, Runnable task) {
        return schedule(task, TimeUnit.MILLISECONDS.toNanos(millis), 0);
    }

    /** Runs {@code task} there every {@code micros} microseconds until cancelled. Called on the device thread. */
    Timer every(long micros, Runnable task) {
        long period = TimeUnit.MICROSECONDS.toNanos(micros);
        return schedule(task, period, period);
    }

    private Timer schedule(Runnable task, long delayNanos, long periodNanos) {
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("timers are set on the device thread");
        }
        Timer t = new Timer(guarded(task), delayNanos, periodNanos, timerOrder++);
        timers.add(t);
        return t;
    }

    /**
     * From now on the thread sleeps in {@code source} when idle, until the source reports that
     * it closed; returns false when the thread has stopped (the caller then waits itself).
     */
    boolean waitIn(NotificationSource s) {
        if (shutdown) {
            return false;
        }
        hand(() -> source = s);
        return true;
    }

    /** Runs {@code task} there and returns its result (inline when already there). */
    <T> T call(Callable<T> task) {
        if (Thread.currentThread() == thread) {
            try {
                return task.call();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        if (shutdown) {
            throw new IllegalStateException("the virtio-gpu device is closed");
        }
        FutureTask<T> f = new FutureTask<>(task);
        hand(f);
        if (ended && tasks.remove(f)) {
            throw new IllegalStateException("the virtio-gpu device is closed");
        }
        try {
            return f.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for the virtio-gpu device thread", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("virtio-gpu device task failed", e.getCause());
        } catch (CancellationException e) {
            throw new IllegalStateException("the virtio-gpu device is closed", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the virtio-gpu device thread did not answer within " + WAIT_SECONDS
                    + " s", e);
        }
    }

    /** As {@link #call}, or {@code closedValue} once the thread has stopped. */
    <T> T query(Callable<T> read, T closedValue) {
        if (shutdown) {
            return closedValue;
        }
        return call(read);
    }

    /** Lets the tasks given so far finish, then stops the thread; timers not yet due never run. */
    void shutdown() {
        shutdown = true;
        hand(() -> { });
        if (Thread.currentThread() == thread) {
            return;
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (thread.isAlive()) {
            LOG.error("virtio-gpu device thread did not stop within {} s", WAIT_SECONDS);
        }
    }

    private void run() {
        try {
            while (true) {
                Runnable t;
                while ((t = tasks.poll()) != null) {
                    t.run();
                }
                long untilTimer = runDueTimers();
                if (!tasks.isEmpty()) {
                    continue;
                }
                if (shutdown) {
                    return;
                }
                if (untilTimer != 0) {
                    sleep(untilTimer);
                }
            }
        } finally {
            ended = true;
            for (Runnable t; (t = tasks.poll()) != null;) {
                if (t instanceof FutureTask<?> f) {
                    f.cancel(false);
                }
            }
        }
    }

    /** Runs the timers due now; returns the nanoseconds until the next one, -1 when none is set. */
    private long runDueTimers() {
        long now = System.nanoTime();
        Timer t;
        while ((t = timers.peek()) != null && t.deadline - now <= 0) {
            timers.poll();
            t.task.run();
            if (t.periodNanos > 0 && !t.cancelled) {
                t.deadline = System.nanoTime() + t.periodNanos;
                timers.add(t);
            }
        }
        return t == null ? -1 : Math.max(1, t.deadline - System.nanoTime());
    }

    /** Sleeps until a task is handed over, a notification comes, or {@code nanos} pass (negative: no limit). */
    private void sleep(long nanos) {
        NotificationSource s = source;
        sleeping = s != null ? s : PARKED;
        try {
            // A task handed over before sleeping was set saw no sleeper to wake: look once more.
            if (!tasks.isEmpty()) {
                return;
            }
            Thread.interrupted(); // an interrupt meant for a task must not turn sleeping into spinning
            if (s == null) {
                if (nanos < 0) {
                    LockSupport.park(this);
                } else {
                    LockSupport.parkNanos(this, nanos);
                }
            } else if (!awaitIn(s, nanos)) {
                source = null;
            }
        } finally {
            sleeping = null;
        }
    }

    private boolean awaitIn(NotificationSource s, long nanos) {
        try {
            return s.await(nanos);
        } catch (RuntimeException e) {
            log.host("device thread: notifications", "waiting for the transport's notifications failed; the device"
                    + " no longer waits in it", e);
            return false;
        }
    }
}
