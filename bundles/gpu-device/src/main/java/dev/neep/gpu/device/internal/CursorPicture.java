package dev.neep.gpu.device.internal;

import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_UNSPEC;

import dev.neep.gpu.api.CursorImage;
import dev.neep.gpu.api.Frame;
import dev.neep.gpu.api.Frames;
import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.api.HeldFrame;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.Rect;
import java.nio.ByteBuffer;

/**
 * A cursor image as UPDATE_CURSOR defined it: the cursor resource's pixels, converted to the
 * sinks' ARGB once, by the first sink lane that delivers it, never on the device thread.
 *
 * <p>With a backend that holds pictures the pixels are held, the way a flushed picture is: the
 * device keeps one hold while the cursor is shown, each lane one while the cursor waits for its
 * sink, so a transfer into the cursor resource meanwhile changes nothing here. A backend that
 * cannot hold gives a read-back buffer that later calls change, so its rows are copied at once,
 * as they are (a 64 x 64 copy, no conversion).
 */
final class CursorPicture {
    private final int hotX;
    private final int hotY;
    private final HeldFrame held;
    private final Frame frame;
    /** Guarded by this. */
    private CursorImage image;

    private CursorPicture(int hotX, int hotY, HeldFrame held, Frame frame) {
        this.hotX = hotX;
        this.hotY = hotY;
        this.held = held;
        this.frame = frame;
    }

    /**
     * Device thread: the cursor resource {@code resourceId}'s pixels, with the device's hold;
     * the caller gives it back with {@link #release} once the cursor is no longer shown.
     */
    static CursorPicture take(BackendSlot backend, int resourceId, int size, int hotX, int hotY)
            throws GpuBackendException {
        HeldFrame held = backend.read(b -> b.hold(resourceId));
        Frame f = held != null ? held.frame() : backend.read(b -> b.frame(resourceId));
        if (!Formats.isSupported2d(f.format()) || f.width() != size || f.height() != size) {
            if (held != null) {
                held.release();
            }
            throw new GpuBackendException(RESP_ERR_UNSPEC, "cursor frame "
                    + f.width() + "x" + f.height() + " in " + Formats.name(f.format()));
        }
        return new CursorPicture(hotX, hotY, held, held != null ? f : copyOf(f));
    }

    private static Frame copyOf(Frame f) {
        int rowBytes = f.width() * Formats.bytesPerPixel(f.format());
        ByteBuffer rows = ByteBuffer.allocate(rowBytes * f.height());
        int base = f.pixels().position();
        for (int y = 0; y < f.height(); y++) {
            rows.put(y * rowBytes, f.pixels(), base + y * f.stride(), rowBytes);
        }
        return new Frame(f.format(), f.width(), f.height(), rowBytes, rows);
    }

    /** Another hold, for a lane the cursor waits in; false when there is nothing to hold (copied, or let go). */
    boolean hold() {
        return held != null && held.hold();
    }

    /** Gives back one hold: the device's, or one {@link #hold} added. */
    void release() {
        if (held != null) {
            held.release();
        }
    }

    /** The image as ARGB, converted at the first call; the caller holds the pixels (or they were copied). */
    synchronized CursorImage image() {
        if (image == null) {
            int[] argb = new int[frame.width() * frame.height()];
            Frames.toArgb(frame, new Rect(0, 0, frame.width(), frame.height()), argb);
            image = new CursorImage(frame.width(), frame.height(), hotX, hotY, argb);
        }
        return image;
    }
}
