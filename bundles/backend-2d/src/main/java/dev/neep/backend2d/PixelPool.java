package dev.neep.backend2d;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The host storage of 2D resources: direct buffers, off the Java heap, so the heap stays small
 * and bounded whatever the guest allocates (the device charges every resource's bytes against
 * {@code max_hostmem} before it is created). Native memory of a direct buffer is only freed
 * when a garbage collection finds the buffer unreachable, so a guest that creates and destroys
 * resources in a loop would pile up freed-but-not-collected buffers; instead a released buffer
 * is kept for the next resource of the same size, up to {@link #maxIdleBytes} idle bytes.
 * A buffer handed out again is zeroed when asked, as a new resource's pixels are.
 *
 * <p>Thread-safe: the device thread takes and releases, and a display sink's thread releases the
 * buffer of a picture it held last ({@link Surface}).
 */
final class PixelPool {
    private static final byte[] ZEROS = new byte[64 << 10];

    private final long maxIdleBytes;
    private final Map<Integer, ArrayDeque<ByteBuffer>> idle = new HashMap<>();
    private long idleBytes;

    PixelPool(long maxIdleBytes) {
        this.maxIdleBytes = maxIdleBytes;
    }

    /** A direct buffer of exactly {@code bytes} bytes, zeroed if {@code zeroed} (else the caller writes all of it). */
    synchronized ByteBuffer take(int bytes, boolean zeroed) {
        ArrayDeque<ByteBuffer> same = idle.get(bytes);
        ByteBuffer b = same == null ? null : same.poll();
        if (b == null) {
            return ByteBuffer.allocateDirect(bytes);
        }
        idleBytes -= bytes;
        for (int at = 0; zeroed && at < bytes; at += ZEROS.length) {
            b.put(at, ZEROS, 0, Math.min(ZEROS.length, bytes - at));
        }
        return b;
    }

    /** Gives {@code b} back: kept for reuse while the idle bytes stay within the bound, else left to the GC. */
    synchronized void release(ByteBuffer b) {
        int bytes = b.capacity();
        if (idleBytes + bytes > maxIdleBytes) {
            return;
        }
        idle.computeIfAbsent(bytes, k -> new ArrayDeque<>()).add(b);
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
