package dev.neep.backend.support;

import com.sun.jna.Memory;
import dev.neep.gpu.api.Frame;
import dev.neep.gpu.api.HeldFrame;
import dev.neep.gpu.api.Holds;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Where a native renderer reads one resource back for display (virglrenderer's
 * {@code transfer_read_iov}, rutabaga's {@code resource_transfer_read}): into a buffer nobody
 * holds, so that a picture held for the display sinks ({@link HeldFrame}) stays as it was while
 * later flushes read the resource back again, elsewhere. A buffer whose last hold went is kept for the next
 * read-back; buffers are never freed here, only dropped with the resource (JNA frees a
 * {@link Memory} once no view of it is left), because a sink reading the live pixels may still
 * look at one: the device's generation check tells it that a read-back overlapped its read.
 *
 * <p>Confined to the backend's owner thread, but for the holds, which sinks' threads add and
 * give back. The owner thread calls {@link #target}, reads back into it, then {@link #frame} or
 * {@link #hold}.
 */
public final class ReadBack {
    private final int format;
    private final int width;
    private final int height;
    private final int stride;
    private final long size;
    /** Buffers retired and no longer held, for the next read-back. */
    private final ConcurrentLinkedQueue<Memory> spare = new ConcurrentLinkedQueue<>();
    /** What the last read-back filled; written by the owner thread only. */
    private volatile Buffer current;

    /** A resource of {@code width x height} pixels in virtio-gpu {@code format}, rows {@code stride} bytes apart. */
    public ReadBack(int format, int width, int height, int stride) {
        this.format = format;
        this.width = width;
        this.height = height;
        this.stride = stride;
        this.size = (long) stride * height;
    }

    /**
     * Owner thread: the memory the next read-back goes to ({@code stride * height} bytes at least),
     * nobody's held picture; it is current from now on.
     */
    public Memory target() {
        Buffer b = current;
        if (b != null && !b.holds.held()) {
            return b.memory;
        }
        if (b != null) {
            b.holds.retire();
        }
        Memory m = spare.poll();
        current = new Buffer(m != null ? m : new Memory(size));
        return current.memory;
    }

    /** The current read-back as a frame, read-only; valid until the next {@link #target}. */
    public Frame frame() {
        return current.frame();
    }

    /** Owner thread: the current read-back, held (one hold: the caller's). */
    public HeldFrame hold() {
        Buffer b = current;
        b.holds.take();
        Frame frame = b.frame();
        return new HeldFrame() {
            @Override
            public Frame frame() {
                return frame;
            }

            @Override
            public boolean hold() {
                return b.holds.hold();
            }

            @Override
            public void release() {
                b.holds.release();
            }

            @Override
            public Frame now() {
                return ReadBack.this.frame();
            }
        };
    }

    private final class Buffer {
        final Memory memory;
        final Holds holds;

        Buffer(Memory memory) {
            this.memory = memory;
            this.holds = new Holds(() -> spare.add(memory));
        }

        Frame frame() {
            return new Frame(format, width, height, stride, memory.getByteBuffer(0, size).asReadOnlyBuffer());
        }
    }
}
