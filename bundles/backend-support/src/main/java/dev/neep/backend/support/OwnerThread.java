package dev.neep.backend.support;

import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.protocol.CtrlType;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The one thread on which every native call of a backend instance runs, init and cleanup
 * included; callers on other threads hand their call over and wait for it, and the library's
 * callbacks can be bounced to it with {@link #post}.
 *
 * <p>Why a thread of our own rather than trusting the caller's: the libraries bind GL (and
 * Vulkan) state to the thread that created the instance, and a call from any other thread runs
 * without it (at best an error, at worst a crash inside the driver). {@link
 * dev.neep.gpu.api.GpuBackend} promises calls from the device's command thread, but
 * {@code close()} may come from a DS deactivation and a device may replace its command thread on
 * reset; marshalling keeps those correct instead of turning them into failures. The cost is one
 * hand-over per call, small beside the GPU work behind each one.
 *
 * <p>Callers wait uninterruptibly (keeping their interrupt status): the library may still be
 * reading guest memory or a buffer the caller would release on an early return.
 */
public final class OwnerThread {

    @FunctionalInterface
    @ConsumerType
    public interface NativeCall<T> {
        T call() throws GpuBackendException;
    }

    private final ExecutorService executor;
    private final String closed;
    private volatile Thread thread;
    private volatile boolean stopped;

    /**
     * {@code closed} ends the message of every call refused once {@link #stop} has begun, e.g.
     * "the virgl backend is closed".
     */
    public OwnerThread(String name, String closed) {
        this.closed = closed;
        // FutureTask keeps whatever a task throws, so the single worker never dies and is never
        // silently replaced by a thread the library does not know.
        executor = Executors.newSingleThreadExecutor(runnable -> {
            Thread t = new Thread(runnable, name);
            t.setDaemon(true);
            thread = t;
            return t;
        });
    }

    public boolean isOwner() {
        return Thread.currentThread() == thread;
    }

    /** Whether {@link #stop}'s last work has begun; read on the owner thread, it is exact. */
    public boolean isStopped() {
        return stopped;
    }

    /**
     * Runs {@code call} on the owner thread (at once when already there) and returns its result.
     * A {@link RuntimeException} or {@link LinkageError} (how JNA reports a bad argument or a
     * missing symbol) becomes a {@link GpuBackendException} with RESP_ERR_UNSPEC: the backend
     * contract lets nothing else out. After {@link #stop} every call is refused.
     */
    public <T> T call(String what, NativeCall<T> call) throws GpuBackendException {
        if (isOwner()) {
            return invoke(what, call);
        }
        FutureTask<T> task = new FutureTask<>(() -> invoke(what, call));
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            throw closed(what);
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
    public boolean post(Runnable work) {
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
    public boolean stop(Runnable last, long timeoutMillis) {
        FutureTask<Void> task = new FutureTask<>(() -> {
            stopped = true;
            last.run();
        }, null);
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

    private <T> T invoke(String what, NativeCall<T> call) throws GpuBackendException {
        if (stopped) {
            throw closed(what);
        }
        try {
            return call.call();
        } catch (RuntimeException | LinkageError e) {
            throw new GpuBackendException(CtrlType.RESP_ERR_UNSPEC, what + " failed: " + e, e);
        }
    }

    private GpuBackendException closed(String what) {
        return new GpuBackendException(CtrlType.RESP_ERR_UNSPEC, what + ": " + closed);
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
