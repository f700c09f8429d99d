package dev.neep.gpu.device.internal;

import dev.neep.virtio.OnceLog;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device's one command thread ({@code neep-gpu-device}), where everything of the device
 * happens: a native renderer binds its context to the thread that opened it, and one thread
 * keeps commands, fence completions and sink calls in order without locks. Other threads hand
 * work over and, where they must, wait for it.
 */
final class DeviceThread {
    /** How long a transport or DS thread waits for the device thread before giving up. */
    static final long WAIT_SECONDS = 10;

    private static final Logger LOG = LoggerFactory.getLogger(DeviceThread.class);

    private final OnceLog log;
    private final ScheduledThreadPoolExecutor executor;
    private volatile Thread thread;

    DeviceThread(OnceLog log) {
        this.log = log;
        this.executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "neep-gpu-device");
            t.setDaemon(true);
            thread = t;
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
    }

    boolean isShutdown() {
        return executor.isShutdown();
    }

    /** Runs {@code task} there later; a task that throws is logged, one given after shutdown is dropped. */
    void execute(Runnable task) {
        try {
            executor.execute(guarded(task));
        } catch (RejectedExecutionException e) {
            LOG.debug("virtio-gpu device closed, task dropped");
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
     * Runs {@code task} there once, {@code millis} milliseconds from now, unless the future is
     * cancelled first; a task that throws is logged. Called on the device thread, which is running.
     */
    ScheduledFuture<?> after(long millis, Runnable task) {
        return executor.schedule(guarded(task), millis, TimeUnit.MILLISECONDS);
    }

    /** Runs {@code task} there every {@code micros} microseconds until the future is cancelled. */
    ScheduledFuture<?> every(long micros, Runnable task) {
        return executor.scheduleWithFixedDelay(task, micros, micros, TimeUnit.MICROSECONDS);
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
        Future<T> f;
        try {
            f = executor.submit(task);
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("the virtio-gpu device is closed", e);
        }
        try {
            return f.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for the virtio-gpu device thread", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("virtio-gpu device task failed", e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the virtio-gpu device thread did not answer within " + WAIT_SECONDS
                    + " s", e);
        }
    }

    /** As {@link #call}, or {@code closedValue} once the thread has stopped. */
    <T> T query(Callable<T> read, T closedValue) {
        if (executor.isShutdown()) {
            return closedValue;
        }
        return call(read);
    }

    /** Lets the tasks given so far finish, then stops the thread. */
    void shutdown() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS)) {
                LOG.error("virtio-gpu device thread did not stop within {} s", WAIT_SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
