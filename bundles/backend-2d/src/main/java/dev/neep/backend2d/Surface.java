package dev.neep.backend2d;

import dev.neep.gpu.api.Frame;
import dev.neep.gpu.api.HeldFrame;
import dev.neep.gpu.api.Holds;
import java.nio.ByteBuffer;

/**
 * A 2D resource's host pixels, copy-on-write while display sinks hold a picture of them
 * ({@link HeldFrame}).
 *
 * <p>The resource's pixels live in one {@link Buffer} at a time. A hold counts on the buffer,
 * not on the picture, since one buffer is what every picture taken between two writes shows.
 * A write to a buffer nobody holds goes in place; to a held one, it first moves the resource to
 * a fresh buffer from the pool, copying what the write does not cover (nothing for a full-frame
 * transfer, the common case), and the old buffer goes back to the pool when its last hold does.
 * So the device thread never waits for a reader and a reader never sees a held picture change.
 *
 * <p>The holds are counted by gpu-api's {@link Holds}, which says why the device thread's check
 * before a write and a reader's hold cannot cross.
 *
 * <p>{@link #frame}, {@link #hold}, {@link #writable} and {@link #free} run on the device thread;
 * holds are added and given back on any thread.
 */
final class Surface {
    private final int format;
    private final int width;
    private final int height;
    private final int stride;
    private final PixelPool pool;
    /** Written by the device thread only; volatile for {@link HeldFrame#now()} on readers' threads. */
    private volatile Buffer current;

    /** A new resource's pixels, zeroed. */
    Surface(int format, int width, int height, int stride, PixelPool pool) {
        this.format = format;
        this.width = width;
        this.height = height;
        this.stride = stride;
        this.pool = pool;
        this.current = new Buffer(pool.take(stride * height, true));
    }

    /** A read-only view of the current pixels, valid until the next write to a held buffer or {@link #free}. */
    Frame frame() {
        return current.frame();
    }

    /** The current pixels, held (one hold: the caller's). */
    HeldFrame hold() {
        Buffer b = current;
        b.holds.take();
        return new Held(b);
    }

    /**
     * The pixels, ready for a write of the rectangle at ({@code x}, {@code y}), {@code w} x
     * {@code h} pixels of {@code bpp} bytes: the current buffer when nobody holds it, else a new
     * one holding everything outside the rectangle. The caller writes the whole rectangle.
     */
    ByteBuffer writable(int x, int y, int w, int h, int bpp) {
        Buffer old = current;
        if (!old.holds.held()) {
            return old.bytes;
        }
        ByteBuffer next = pool.take(stride * height, false);
        ByteBuffer from = old.bytes;
        int rowBytes = w * bpp;
        copy(from, next, 0, y * stride);
        if (rowBytes == stride) {
            // full rows: nothing to keep beside the rectangle
        } else {
            for (int row = y; row < y + h; row++) {
                int at = row * stride;
                copy(from, next, at, x * bpp);
                copy(from, next, at + x * bpp + rowBytes, stride - x * bpp - rowBytes);
            }
        }
        copy(from, next, (y + h) * stride, (height - y - h) * stride);
        current = new Buffer(next);
        old.holds.retire();
        return next;
    }

    /** The resource is gone: its buffer goes back to the pool once nobody holds it. */
    void free() {
        current.holds.retire();
    }

    private static void copy(ByteBuffer from, ByteBuffer to, int at, int length) {
        if (length > 0) {
            to.put(at, from, at, length);
        }
    }

    /** One buffer of pixels and the holds on it. */
    private final class Buffer {
        final ByteBuffer bytes;
        final Holds holds;

        Buffer(ByteBuffer bytes) {
            this.bytes = bytes;
            this.holds = new Holds(() -> pool.release(bytes));
        }

        Frame frame() {
            return new Frame(format, width, height, stride, bytes.asReadOnlyBuffer());
        }
    }

    private final class Held implements HeldFrame {
        private final Buffer buffer;
        private final Frame frame;

        Held(Buffer buffer) {
            this.buffer = buffer;
            this.frame = buffer.frame();
        }

        @Override
        public Frame frame() {
            return frame;
        }

        @Override
        public boolean hold() {
            return buffer.holds.hold();
        }

        @Override
        public void release() {
            buffer.holds.release();
        }

        @Override
        public Frame now() {
            return current.frame();
        }
    }
}
