package dev.neep.backend.rutabaga.internal;

import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.protocol.CtrlType;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The thread that owns one {@code struct rutabaga}: it calls {@code rutabaga_init} and every
 * later function on that instance, and the library's callbacks are bounced to it.
 *
 * <p>Why not trust the caller's thread: the library requires every call to come from the thread
 * that created the instance (the 0.1.3 header says so; gfxstream binds GL/Vulkan state to it).
 * {@link dev.neep.gpu.api.GpuBackend} promises calls from the device's command thread, but
 * {@code close()} may come from a DS deactivation and a device may replace its command thread on
 * reset; marshalling keeps those correct instead of turning them into failures.
 *
 * <p>Callers wait uninterruptibly (keeping their interrupt status): the library may still be
 * reading guest memory or a buffer the caller would release on an early return.
 */
final class OwnerThread {

    @FunctionalInterface
    interface NativeCall<T> {
        T call() throws GpuBackendException;
    }

    private final String name;
    private final ExecutorService executor;
    private volatile Thread thread;

    OwnerThread(String name) {
        this.name = name;
        // FutureTask keeps whatever a task throws, so the single worker never dies and is never
        // silently replaced by a thread the library does not know.
        executor = Executors.newSingleThreadExecutor(runnable -> {
            Thread t = new Thread(runnable, name);
            t.setDaemon(true);
            thread = t;
            return t;
        });
    }

    boolean isOwner() {
        return Thread.currentThread() == thread;
    }

    /**
     * Runs {@code call} on the owner thread (at once when already there) and returns its result.
     * A {@link RuntimeException} or {@link LinkageError} (how JNA reports a bad argument or a
     * missing symbol) becomes a {@link GpuBackendException} with RESP_ERR_UNSPEC: the backend
     * contract lets nothing else out.
     */
    <T> T call(String what, NativeCall<T> call) throws GpuBackendException {
        if (isOwner()) {
            return invoke(what, call);
        }
        FutureTask<T> task = new FutureTask<>(() -> invoke(what, call));
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            throw new GpuBackendException(CtrlType.RESP_ERR_UNSPEC, what + ": " + name + " has stopped");
        }
        try {
            return getUninterruptibly(task, Long.MAX_VALUE);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GpuBackendException) {
                throw (GpuBackendException) e.getCause();
            }
            throw new GpuBackendException(CtrlType.RESP_ERR_UNSPEC, what + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("an unbounded wait timed out", e);
        }
    }

    /**
     * Queues {@code work} to run on the owner thread after whatever it is doing now, even when
     * called from the owner thread itself. Returns false once the thread has stopped.
     */
    boolean post(Runnable work) {
        try {
            executor.execute(work);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /**
     * Runs {@code last} (which reports its own failures) on the owner thread after everything
     * queued before it, then stops the thread. Returns false when {@code last} did not finish
     * within {@code timeoutMillis}; the thread is a daemon and is left to it.
     */
    boolean stop(Runnable last, long timeoutMillis) {
        FutureTask<Void> task = new FutureTask<>(last, null);
        if (isOwner()) {
            task.run();
            executor.shutdown();
            return true;
        }
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            return true;
        }
        executor.shutdown();
        try {
            getUninterruptibly(task, TimeUnit.MILLISECONDS.toNanos(timeoutMillis));
            return true;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    private static <T> T invoke(String what, NativeCall<T> call) throws GpuBackendException {
        try {
            return call.call();
        } catch (RuntimeException | LinkageError e) {
            throw new GpuBackendException(CtrlType.RESP_ERR_UNSPEC, what + " failed: " + e, e);
        }
    }

    private static <T> T getUninterruptibly(FutureTask<T> task, long timeoutNanos)
            throws ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + timeoutNanos;
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    if (timeoutNanos == Long.MAX_VALUE) {
                        return task.get();
                    }
                    return task.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
