package dev.neep.vhostuser.gpu.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import dev.neep.gpu.api.Frame;
import dev.neep.gpu.protocol.Formats;
import dev.neep.vhostuser.protocol.MessageHeader;
import dev.neep.vhostuser.sys.UnixSocket;

/**
 * The UPDATE messages of one dirty rectangle, with one copy of the pixels between the
 * resource and the socket: {@link #take} copies the rectangle's rows from the frame into a send
 * buffer laid out exactly as the messages go out (a header, its rows; the next header, its
 * rows), and {@link #send} writes that buffer whole.
 *
 * <p>The front end reads UPDATE data as {@code PIXMAN_x8r8g8b8} words, tightly packed
 * ({@code width * 4} bytes a row): little-endian ARGB. B8G8R8A8/X8 rows already are that in
 * memory and are copied as they are; other formats are converted on the way, in the same pass.
 * A rectangle whose pixels pass {@link #maxData} bytes is split by rows into several messages,
 * each a band of whole rows, as QEMU's front end takes them (each UPDATE is drawn on its own).
 *
 * <p>A held picture whose rows already are the front end's, one contiguous range, needs no
 * copy at all: {@link #sendAsIs} writes a message's header and its pixels in one gathering
 * write, the pixels straight from the resource.
 *
 * <p>{@link #take} may be called again for the same rectangle (a reader that runs twice) and
 * then writes the same bytes. Not thread-safe: one channel's sending thread uses it.
 */
final class UpdateWriter {

    private final int maxData;
    private ByteBuffer tx = ByteBuffer.allocateDirect(64 << 10).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer header = ByteBuffer.allocateDirect(MessageHeader.SIZE + GpuRequest.UPDATE_HEADER_SIZE)
            .order(ByteOrder.LITTLE_ENDIAN);
    private int[] rowScratch = new int[0];
    private int length;

    /** Messages carry at most {@code maxData} bytes of pixels (at least one row). */
    UpdateWriter(int maxData) {
        this.maxData = maxData;
    }

    /**
     * Lays out the UPDATEs of {@code scanoutId}'s rectangle [x0, x1) x [y0, y1), which lies
     * inside {@code frame}, with its pixels.
     *
     * @throws RuntimeException when the frame's buffer does not hold its geometry
     */
    void take(int scanoutId, Frame frame, int x0, int y0, int x1, int y1) {
        int width = x1 - x0;
        int rowBytes = width * 4;
        int rowsPerMessage = Math.max(1, maxData / rowBytes);
        int rows = y1 - y0;
        int messages = (rows + rowsPerMessage - 1) / rowsPerMessage;
        long total = (long) messages * (MessageHeader.SIZE + GpuRequest.UPDATE_HEADER_SIZE) + (long) rows * rowBytes;
        ByteBuffer b = buffer(Math.toIntExact(total));
        ByteBuffer src = frame.pixels();
        int base = src.position();
        // B8G8R8A8 and B8G8R8X8 already are x8r8g8b8 in memory: the front end ignores the X byte.
        boolean same = frame.format() == Formats.B8G8R8A8_UNORM || frame.format() == Formats.B8G8R8X8_UNORM;
        if (!same && rowScratch.length < width) {
            rowScratch = new int[width];
        }
        int at = 0;
        for (int y = y0; y < y1; y += rowsPerMessage) {
            int band = Math.min(rowsPerMessage, y1 - y);
            b.position(at);
            new MessageHeader(GpuRequest.UPDATE, 0, GpuRequest.UPDATE_HEADER_SIZE + band * rowBytes).encode(b);
            b.putInt(scanoutId).putInt(x0).putInt(y).putInt(width).putInt(band);
            at = b.position();
            for (int row = y; row < y + band; row++) {
                int from = Math.addExact(base, Math.addExact(Math.multiplyExact(row, frame.stride()), x0 * 4));
                if (same) {
                    b.put(at, src, from, rowBytes);
                } else {
                    Formats.toArgb(frame.format(), src, from, rowScratch, 0, width);
                    for (int i = 0; i < width; i++) {
                        b.putInt(at + i * 4, rowScratch[i]);
                    }
                }
                at += rowBytes;
            }
        }
        length = at;
    }

    /**
     * Whether {@link #sendAsIs} can send rows [x0, x1) of {@code frame}: already in the front
     * end's format and, whole rows of a tightly packed frame, one contiguous range.
     */
    static boolean sendsAsIs(Frame frame, int x0, int x1) {
        return (frame.format() == Formats.B8G8R8A8_UNORM || frame.format() == Formats.B8G8R8X8_UNORM)
                && x0 == 0 && x1 == frame.width() && frame.stride() == frame.width() * 4;
    }

    /**
     * Sends rows [y0, y1) of {@code frame} (which {@link #sendsAsIs} allows, at most
     * {@code maxData} bytes) as one UPDATE, its pixels written to the socket straight from the
     * frame: no copy at all on this side. Blocks while the front end does not read, so only for
     * pixels that stay as they are meanwhile (a held picture).
     */
    void sendAsIs(UnixSocket socket, int scanoutId, Frame frame, int y0, int y1) throws IOException {
        int rowBytes = frame.width() * 4;
        int length = (y1 - y0) * rowBytes;
        if (length > maxData) {
            throw new IllegalArgumentException(length + " bytes of pixels in one UPDATE, more than " + maxData);
        }
        ByteBuffer head = header.clear();
        new MessageHeader(GpuRequest.UPDATE, 0, GpuRequest.UPDATE_HEADER_SIZE + length).encode(head);
        head.putInt(scanoutId).putInt(0).putInt(y0).putInt(frame.width()).putInt(y1 - y0).flip();
        ByteBuffer src = frame.pixels();
        int from = src.position() + y0 * frame.stride();
        socket.send(head, src.duplicate().limit(from + length).position(from));
    }

    /** Writes what {@link #take} laid out, all of it; blocks while the front end does not read. */
    void send(UnixSocket socket) throws IOException {
        socket.send(tx.duplicate().position(0).limit(length));
    }

    private ByteBuffer buffer(int size) {
        if (tx.capacity() < size) {
            tx = ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
        }
        return tx.clear();
    }
}
