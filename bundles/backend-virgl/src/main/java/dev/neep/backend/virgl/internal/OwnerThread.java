package dev.neep.backend.virgl.internal;

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
 * The one thread on which every libvirglrenderer call of a backend instance runs, init and
 * cleanup included; callers on other threads hand their call over and wait for it.
 *
 * <p>Why a thread of our own rather than trusting the caller's: the library binds its EGL
 * context to the thread that called {@code virgl_renderer_init}, and a call from any other
 * thread touches GL without a current context (at best an error, at worst a crash inside the
 * driver). {@link dev.neep.gpu.api.GpuBackend} promises calls from the device's command thread,
 * but {@code close()} may come from a DS deactivation, and a device may restart its command
 * thread on reset; verifying the thread would turn those into failures, marshalling makes them
 * correct. The cost is one hand-over per call, small beside the GL work behind each one.
 *
 * <p>A caller waits for its call uninterruptibly (and keeps its interrupt status): the native
 * side may still be reading guest memory or a scratch buffer the caller would release if it
 * returned early.
 */
final class OwnerThread {

    @FunctionalInterface
    interface NativeCall<T> {
        T call() throws GpuBackendException;
    }

    private final ExecutorService executor;
    private volatile Thread thread;

    OwnerThread(String name) {
        // One thread for the executor's life: FutureTask catches everything a task throws,
        // so the worker never dies and is never replaced by a thread without the GL context.
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
     * Runs {@code call} on the owner thread (directly when already on it) and returns its
     * result. Anything but a {@link GpuBackendException} becomes one with RESP_ERR_UNSPEC.
     */
    <T> T call(String what, NativeCall<T> call) throws GpuBackendException {
        if (isOwner()) {
            return invoke(what, call);
        }
        FutureTask<T> task = new FutureTask<>(() -> invoke(what, call));
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            throw new GpuBackendException(CtrlType.RESP_ERR_UNSPEC, what + ": the virgl backend is closed");
        }
        try {
            return awaitUninterruptibly(task);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof GpuBackendException) {
                throw (GpuBackendException) cause;
            }
            throw new GpuBackendException(CtrlType.RESP_ERR_UNSPEC, what + " failed: " + cause, cause);
        }
    }

    /**
     * Runs {@code last} (which handles its own failures) on the owner thread and stops the
     * thread. Returns false when {@code last} did not finish within {@code timeoutMillis}: the
     * thread is a daemon and is left to it.
     */
    boolean shutdown(Runnable last, long timeoutMillis) {
        if (isOwner()) {
            last.run();
            executor.shutdown();
            return true;
        }
        FutureTask<Void> task = new FutureTask<>(last, null);
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            return true;
        }
        executor.shutdown();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    task.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    return true;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (TimeoutException | ExecutionException e) {
                    return false;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static <T> T invoke(String what, NativeCall<T> call) throws GpuBackendException {
        try {
            return call.call();
        } catch (GpuBackendException e) {
            throw e;
        } catch (RuntimeException | LinkageError e) {
            // JNA reports a bad argument or a missing symbol as unchecked exceptions; the
            // contract lets nothing but GpuBackendException out of a backend call.
            throw new GpuBackendException(CtrlType.RESP_ERR_UNSPEC, what + " failed: " + e, e);
        }
    }

    private static <T> T awaitUninterruptibly(FutureTask<T> task) throws ExecutionException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return task.get();
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
