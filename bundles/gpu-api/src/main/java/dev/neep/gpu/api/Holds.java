package dev.neep.gpu.api;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The holds on one buffer of pixels, counted as {@link HeldFrame} asks, for a backend to build
 * its held pictures on.
 *
 * <p>The backend's thread, the one that writes the buffer, takes the first hold of a picture
 * ({@link #take}) and, before it writes, asks whether any hold lasts ({@link #held}): if one
 * does it writes elsewhere. Readers add holds only while one lasts ({@link #hold}) and give them
 * back ({@link #release}). So once the writer sees no hold, none appears before its write ends:
 * only the writer can add a first one. When the writer no longer uses the buffer it retires it
 * ({@link #retire}); {@code whenFree} then runs once, on the thread that gave back the last
 * hold, or at once when none lasts.
 */
public final class Holds {
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicBoolean freed = new AtomicBoolean();
    private final Runnable whenFree;
    private volatile boolean retired;

    /** {@code whenFree}: what to do with the buffer once retired and unheld (give it back to a pool). */
    public Holds(Runnable whenFree) {
        this.whenFree = Objects.requireNonNull(whenFree, "whenFree");
    }

    /** The writer's thread: one hold, also when none lasts. */
    public void take() {
        count.incrementAndGet();
    }

    /** The writer's thread: whether a hold lasts, so that the buffer must not be written. */
    public boolean held() {
        return count.get() > 0;
    }

    /** Any thread: one more hold while one lasts; {@code false}, adding none, when none does. */
    public boolean hold() {
        for (int n = count.get(); n > 0; n = count.get()) {
            if (count.compareAndSet(n, n + 1)) {
                return true;
            }
        }
        return false;
    }

    /** Any thread: gives one hold back; more than were taken is a bug, and ignored. */
    public void release() {
        for (int n = count.get(); n > 0; n = count.get()) {
            if (count.compareAndSet(n, n - 1)) {
                if (n == 1 && retired) {
                    free();
                }
                return;
            }
        }
    }

    /** The writer's thread: the buffer is no longer used; it is freed once no hold lasts. */
    public void retire() {
        retired = true;
        if (count.get() == 0) {
            free();
        }
    }

    private void free() {
        // The last release and the retirement may both see the other: whichever comes second frees.
        if (freed.compareAndSet(false, true)) {
            whenFree.run();
        }
    }
}
