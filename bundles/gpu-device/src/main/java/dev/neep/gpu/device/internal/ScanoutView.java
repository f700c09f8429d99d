package dev.neep.gpu.device.internal;

import dev.neep.gpu.api.Frame;
import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.api.HeldFrame;
import dev.neep.gpu.api.Pixels;
import dev.neep.virtio.OnceLog;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One scanout showing one {@link ScanoutState}, as the sinks read it: each RESOURCE_FLUSH hands
 * them a {@link #flushed} {@link Pixels}, the picture held by the backend when it can hold one. Retired when the scanout stops showing that state
 * (disabled, another resource or rectangle, the resource unreferenced, the backend replaced),
 * after which its pixels no longer read.
 *
 * <p>The device thread makes, announces and retires it; any thread reads. Retiring waits for the
 * readers of live pixels inside their reader (a held picture's memory is kept by its hold): once the scanout stops showing a picture, nobody reads its
 * memory any more, so the device may then let the backend free it, or the transport unmap the
 * guest memory a blob scanout showed.
 */
final class ScanoutView {
    /** How long {@link #retire} waits for a reader still copying; readers never block, so this is a bug's bound. */
    private static final long RETIRE_WAIT_NANOS = 1_000_000_000L;

    private final PixelSeqlock seqlock;
    private final OnceLog log;
    private final AtomicInteger reading = new AtomicInteger();
    private volatile boolean retired;
    /** The number of the newest flush announced to the sinks. */
    private volatile long announced;

    ScanoutView(PixelSeqlock seqlock, OnceLog log) {
        this.seqlock = seqlock;
        this.log = log;
    }

    /** Positions a resource's frame at the scanout's top-left pixel (ScanoutCommands' rule). */
    @FunctionalInterface
    interface Crop {
        Frame crop(Frame resourceFrame) throws GpuBackendException;
    }

    /** Device thread: the pixels of a new flush, live: {@code frame} (positioned at the scanout's top-left pixel). */
    Flushed flushed(Frame frame) {
        return flushed(frame, null, null);
    }

    /**
     * Device thread: the pixels of a new flush; with {@code held} (whose hold the result takes
     * over), the picture held, {@code frame} being its held frame cropped, and {@code crop}
     * cropping {@link HeldFrame#now()} for a reader that comes after the last hold went.
     */
    Flushed flushed(Frame frame, HeldFrame held, Crop crop) {
        long n = announced + 1;
        announced = n;
        return new Flushed(frame, n, held, crop);
    }

    /** Device thread: the scanout no longer shows this; returns once no reader is inside its reader. */
    void retire() {
        retired = true;
        long deadline = System.nanoTime() + RETIRE_WAIT_NANOS;
        while (reading.get() > 0) {
            if (System.nanoTime() - deadline > 0) {
                log.host("pixels retire", "a display sink's reader still reads " + RETIRE_WAIT_NANOS / 1_000_000
                        + " ms after its scanout changed; the device goes on", null);
                return;
            }
            Thread.onSpinWait();
        }
    }

    /**
     * A flush's pixels. With a held picture, a sink's lane adds a hold ({@link #hold}) while the
     * update waits for its sink and gives it back once delivered, so the sink reads that very
     * picture; a read after the last hold went reads the resource's live pixels, as without one.
     */
    final class Flushed implements Pixels {
        private final Frame frame;
        /** The frame as a still picture: each of its reads gets its own read-only view. */
        private final Pixels still;
        private final long number;
        private final HeldFrame held;
        private final Crop crop;

        private Flushed(Frame frame, long number, HeldFrame held, Crop crop) {
            this.frame = frame;
            this.still = Pixels.of(frame);
            this.number = number;
            this.held = held;
            this.crop = crop;
        }

        /** Keeps the picture as it is for one more holder; false when it is live (not held) or no longer held. */
        boolean hold() {
            return held != null && held.hold();
        }

        /** Gives back one hold (the flush's own, or one {@link #hold} added); nothing when live. */
        void release() {
            if (held != null) {
                held.release();
            }
        }

        @Override
        public int format() {
            return still.format();
        }

        @Override
        public int width() {
            return still.width();
        }

        @Override
        public int height() {
            return still.height();
        }

        @Override
        public boolean held() {
            if (!hold()) {
                return false;
            }
            held.release();
            return true;
        }

        @Override
        public boolean read(Consumer<Frame> reader) {
            if (hold()) {
                // The hold keeps the memory, so retire need not wait for this reader, which may block.
                try {
                    if (retired) {
                        return false;
                    }
                    still.read(reader);
                    return true;
                } finally {
                    held.release();
                }
            }
            while (true) {
                long g = seqlock.readBegin();
                if (g < 0) {
                    return false;
                }
                Pixels live;
                try {
                    live = held == null ? still : Pixels.of(crop.crop(held.now()));
                } catch (GpuBackendException e) {
                    log.host("pixels crop", "the resource's pixels no longer hold its scanout: " + e.getMessage(), e);
                    return false;
                }
                if (!readOnce(live, reader)) {
                    return false;
                }
                if (seqlock.unchangedSince(g)) {
                    return true;
                }
                if (announced != number) {
                    return false;
                }
            }
        }

        /** One call of {@code reader}, unless retired; false when retired. */
        private boolean readOnce(Pixels pixels, Consumer<Frame> reader) {
            // Counted before retired is checked, as retire sets it before it counts: one of
            // the two sees the other, so no reader starts after retire returned.
            reading.incrementAndGet();
            try {
                if (retired) {
                    return false;
                }
                // A view of its own per read: a reader moving the position shifts no one else's pixels.
                pixels.read(reader);
                return true;
            } finally {
                reading.decrementAndGet();
            }
        }

        @Override
        public String toString() {
            return "pixels of flush " + number + " (" + frame.width() + "x" + frame.height()
                    + (held != null ? ", held" : "") + ")";
        }
    }
}
