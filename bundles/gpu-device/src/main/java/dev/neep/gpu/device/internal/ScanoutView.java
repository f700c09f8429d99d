package dev.neep.gpu.device.internal;

import dev.neep.gpu.api.Frame;
import dev.neep.gpu.api.Pixels;
import java.util.function.Consumer;

/**
 * One scanout showing one {@link ScanoutState}, as the sinks read it: each RESOURCE_FLUSH hands
 * them a {@link #flushed} {@link Pixels}. Retired when the scanout stops showing that state
 * (disabled, another resource or rectangle, the resource unreferenced, the backend replaced),
 * after which its pixels no longer read.
 *
 * <p>The device thread makes, announces and retires it; any thread reads.
 */
final class ScanoutView {
    private final PixelSeqlock seqlock;
    private volatile boolean retired;
    /** The number of the newest flush announced to the sinks. */
    private volatile long announced;

    ScanoutView(PixelSeqlock seqlock) {
        this.seqlock = seqlock;
    }

    /** Device thread: the pixels of a new flush, in {@code frame} (positioned at the scanout's top-left pixel). */
    Pixels flushed(Frame frame) {
        long n = announced + 1;
        announced = n;
        return new Flushed(frame, n);
    }

    /** Device thread: the scanout no longer shows this. */
    void retire() {
        retired = true;
    }

    private final class Flushed implements Pixels {
        private final Frame frame;
        private final long number;

        Flushed(Frame frame, long number) {
            this.frame = frame;
            this.number = number;
        }

        @Override
        public int format() {
            return frame.format();
        }

        @Override
        public int width() {
            return frame.width();
        }

        @Override
        public int height() {
            return frame.height();
        }

        @Override
        public boolean read(Consumer<Frame> reader) {
            while (true) {
                long g = seqlock.readBegin();
                if (g < 0 || retired) {
                    return false;
                }
                // Each read its own view: a reader moving the position shifts no one else's pixels.
                reader.accept(new Frame(frame.format(), frame.width(), frame.height(), frame.stride(),
                        frame.pixels().asReadOnlyBuffer().order(frame.pixels().order())));
                if (retired) {
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

        @Override
        public String toString() {
            return "pixels of flush " + number + " (" + frame.width() + "x" + frame.height() + ")";
        }
    }
}
