package dev.neep.backend.support;

import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_PARAMETER;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_OUT_OF_MEMORY;

import com.sun.jna.Memory;
import dev.neep.gpu.api.Frame;
import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.api.HeldFrame;
import dev.neep.gpu.api.Holds;
import dev.neep.gpu.protocol.Formats;
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
    private static final int BYTES_PER_PIXEL = 4;
    private final int format;
    private final int width;
    private final int height;
    private final int stride;
    private final long size;
    /** Buffers retired and no longer held, for the next read-back. */
    private final ConcurrentLinkedQueue<Memory> spare = new ConcurrentLinkedQueue<>();
    /** What the last read-back filled; written by the owner thread only. */
    private volatile Buffer current;

    private ReadBack(int format, int width, int height) {
        this.format = format;
        this.width = width;
        this.height = height;
        this.stride = width * BYTES_PER_PIXEL;
        this.size = (long) stride * height;
    }

    /**
     * Where resource {@code resourceId}, {@code width x height} pixels in virtio-gpu
     * {@code format}, is read back: rows of {@code width * 4} bytes, top row first.
     *
     * @throws GpuBackendException RESP_ERR_INVALID_PARAMETER when the format is none a scanout
     *         shows, RESP_ERR_OUT_OF_MEMORY when the picture does not fit one buffer
     */
    public static ReadBack of(int resourceId, int format, int width, int height) throws GpuBackendException {
        if (!Formats.isSupported2d(format)) {
            throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "resource " + resourceId + " has format "
                    + Formats.name(format) + ", none of virtio-gpu's scanout formats");
        }
        long size = (long) width * BYTES_PER_PIXEL * height;
        if (width <= 0 || height <= 0 || size > Integer.MAX_VALUE) {
            throw new GpuBackendException(RESP_ERR_OUT_OF_MEMORY, "resource " + resourceId + " of "
                    + Integer.toUnsignedString(width) + "x" + Integer.toUnsignedString(height)
                    + " does not fit one frame buffer");
        }
        return new ReadBack(format, width, height);
    }

    /** Bytes between two rows, {@code width * 4}. */
    public int stride() {
        return stride;
    }

    /** Bytes of the picture, {@code stride * height}. */
    public long size() {
        return size;
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
        return HeldFrame.of(b.holds, b.frame(), this::frame);
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
