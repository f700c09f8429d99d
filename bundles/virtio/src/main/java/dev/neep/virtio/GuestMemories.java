package dev.neep.virtio;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Guest memory backed by Java buffers: for in-process VMMs, tests and the testkit.
 * The transports that share memory with another process (vhost-user) build
 * {@link MemoryRegion}s over their own mappings instead.
 */
public final class GuestMemories {

    private GuestMemories() {
    }

    /** One heap-backed region of {@code size} bytes at {@code base}. */
    public static RegionGuestMemory heap(long base, int size) {
        return of(heapRegion(base, size));
    }

    /** One region of {@code size} bytes of direct memory at {@code base}; more than 2 GiB works. */
    public static RegionGuestMemory direct(long base, long size) {
        return of(directRegion(base, size));
    }

    /** A heap-backed region, zeroed. */
    public static MemoryRegion heapRegion(long base, int size) {
        return region(base, size, MemoryRegion.MAX_PIECE, ByteBuffer::allocate);
    }

    /** A region of direct memory, zeroed, allocated in pieces of at most {@link MemoryRegion#MAX_PIECE} bytes. */
    public static MemoryRegion directRegion(long base, long size) {
        return region(base, size, MemoryRegion.MAX_PIECE, ByteBuffer::allocateDirect);
    }

    // Tests pass a small pieceSize to exercise piece boundaries without gigabytes.
    static MemoryRegion region(long base, long size, int pieceSize, IntFunction<ByteBuffer> allocate) {
        if (size <= 0) {
            throw new IllegalArgumentException("size=" + size + " is not positive");
        }
        if (pieceSize <= 0 || pieceSize > MemoryRegion.MAX_PIECE) {
            throw new IllegalArgumentException("pieceSize=" + pieceSize + " is not 1.." + MemoryRegion.MAX_PIECE);
        }
        List<ByteBuffer> pieces = new ArrayList<>();
        for (long left = size; left > 0; left -= pieceSize) {
            pieces.add(allocate.apply((int) Math.min(left, pieceSize)));
        }
        return new MemoryRegion(base, size, pieces);
    }

    private static RegionGuestMemory of(MemoryRegion region) {
        RegionGuestMemory memory = new RegionGuestMemory();
        memory.add(region);
        return memory;
    }
}
