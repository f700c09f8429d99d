package dev.neep.backend2d;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The host storage of 2D resources: direct buffers, off the Java heap, so the heap stays small
 * and bounded whatever the guest allocates (the device charges every resource's bytes against
 * {@code max_hostmem} before it is created). Native memory of a direct buffer is only freed
 * when a garbage collection finds the buffer unreachable, so a guest that creates and destroys
 * resources in a loop would pile up freed-but-not-collected buffers; instead a released buffer
 * is kept for the next resource (or the next copy of a held picture, see {@link Surface}) of the
 * same size, up to {@link #maxIdleBytes} idle bytes. When a release would pass that bound, idle
 * buffers of other sizes go first, oldest first: a guest that switches resolution leaves its old
 * size behind once, and the size in use keeps circulating without garbage.
 * A buffer handed out again is zeroed when asked, as a new resource's pixels are.
 *
 * <p>Thread-safe: the device thread takes and releases, and a display sink's thread releases the
 * buffer of a picture it held last ({@link Surface}).
 */
final class PixelPool {
    private static final byte[] ZEROS = new byte[64 << 10];

    private final long maxIdleBytes;
    /** Idle buffers, oldest first. */
    private final List<ByteBuffer> idle = new ArrayList<>();
    private long idleBytes;

    PixelPool(long maxIdleBytes) {
        this.maxIdleBytes = maxIdleBytes;
    }

    /** A direct buffer of exactly {@code bytes} bytes, zeroed if {@code zeroed} (else the caller writes all of it). */
    synchronized ByteBuffer take(int bytes, boolean zeroed) {
        ByteBuffer b = null;
        for (int i = idle.size() - 1; i >= 0; i--) {
            if (idle.get(i).capacity() == bytes) {
                b = idle.remove(i);
                break;
            }
        }
        if (b == null) {
            return ByteBuffer.allocateDirect(bytes);
        }
        idleBytes -= bytes;
        for (int at = 0; zeroed && at < bytes; at += ZEROS.length) {
            b.put(at, ZEROS, 0, Math.min(ZEROS.length, bytes - at));
        }
        return b;
    }

    /**
     * Gives {@code b} back: kept for reuse, making room by letting idle buffers of other sizes
     * go (to the GC) if the bound needs it; left to the GC itself when that is not enough.
     */
    synchronized void release(ByteBuffer b) {
        int bytes = b.capacity();
        for (Iterator<ByteBuffer> it = idle.iterator(); it.hasNext() && idleBytes + bytes > maxIdleBytes;) {
            ByteBuffer old = it.next();
            if (old.capacity() != bytes) {
                it.remove();
                idleBytes -= old.capacity();
            }
        }
        if (idleBytes + bytes > maxIdleBytes) {
            return;
        }
        idle.add(b);
        idleBytes += bytes;
    }

    /** Bytes held for reuse. */
    synchronized long idleBytes() {
        return idleBytes;
    }

    /** Lets every idle buffer go. */
    synchronized void clear() {
        idle.clear();
        idleBytes = 0;
    }
}
