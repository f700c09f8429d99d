package dev.neep.gpu.device.internal;

import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The device's generation of the backend's pixels, a seqlock: odd while a backend call that
 * may change pixels runs, bumped again when it returns. A sink's thread reads pixels between
 * {@link #readBegin} and {@link #unchangedSince} and knows whether a change overlapped its read.
 *
 * <p>The device thread writes ({@link #beginWrite}, {@link #endWrite}) and never waits for a
 * reader; readers wait only for a write in progress to end.
 */
final class PixelSeqlock {
    /** Spins before a waiting reader starts to park: most backend calls end within microseconds. */
    private static final int SPINS = 200;
    private static final long PARK_NANOS = 20_000;

    private final AtomicLong generation = new AtomicLong();

    /** Device thread: a backend call that may change pixels starts. */
    void beginWrite() {
        generation.incrementAndGet();
    }

    /** Device thread: it ended. */
    void endWrite() {
        generation.incrementAndGet();
    }

    /**
     * The generation once no write is in progress, to pass to {@link #unchangedSince}; -1 when
     * the thread was interrupted while waiting.
     */
    long readBegin() {
        int spins = 0;
        long g;
        while (((g = generation.getAcquire()) & 1) != 0) {
            if (spins++ < SPINS) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(PARK_NANOS);
                if (Thread.currentThread().isInterrupted()) {
                    return -1;
                }
            }
        }
        return g;
    }

    /** Whether no write began since {@link #readBegin} returned {@code g}: what was read in between is whole. */
    boolean unchangedSince(long g) {
        // The pixel reads before this point must not move after the generation's read.
        VarHandle.acquireFence();
        return generation.get() == g;
    }
}
