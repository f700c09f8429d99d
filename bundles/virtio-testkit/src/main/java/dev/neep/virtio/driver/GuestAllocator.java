package dev.neep.virtio.driver;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Hands out ranges of guest-physical addresses from one area, as a guest kernel's page
 * allocator would, so a Java driver can place its rings, requests and backing pages.
 * First fit, neighbours merged on free. It only does the bookkeeping; it neither
 * touches nor clears guest memory. Thread-safe.
 */
public final class GuestAllocator {

    private final long base;
    private final long size;
    // free runs, start -> end (exclusive), never adjacent to each other
    private final TreeMap<Long, Long> free = new TreeMap<>();
    // handed-out address -> its end; alignment padding stays free
    private final Map<Long, Long> allocated = new HashMap<>();

    public GuestAllocator(long base, long size) {
        if (base < 0 || size <= 0 || base > Long.MAX_VALUE - size) {
            throw new IllegalArgumentException(String.format("base=0x%x size=%d is not a valid area", base, size));
        }
        this.base = base;
        this.size = size;
        free.put(base, base + size);
    }

    /**
     * Returns the address of {@code length} free bytes aligned to {@code alignment}.
     *
     * @throws IllegalStateException when no free run is large enough
     */
    public synchronized long allocate(long length, long alignment) {
        if (length <= 0) {
            throw new IllegalArgumentException("length=" + length + " is not positive");
        }
        if (alignment <= 0 || Long.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("alignment=" + alignment + " is not a power of two");
        }
        for (Map.Entry<Long, Long> run : free.entrySet()) {
            long start = run.getKey();
            long end = run.getValue();
            long at = (start + alignment - 1) & -alignment;
            if (at >= start && at <= end && end - at >= length) {
                free.remove(start);
                if (at + length < end) {
                    free.put(at + length, end);
                }
                if (start < at) {
                    free.put(start, at);
                }
                allocated.put(at, at + length);
                return at;
            }
        }
        throw new IllegalStateException(String.format("no %d free bytes aligned to %d in 0x%x..0x%x",
                length, alignment, base, base + size));
    }

    /** Gives back the range {@link #allocate} returned at {@code gpa}. */
    public synchronized void free(long gpa) {
        Long allocatedEnd = allocated.remove(gpa);
        if (allocatedEnd == null) {
            throw new IllegalArgumentException(String.format("0x%x was not allocated here", gpa));
        }
        long start = gpa;
        long end = allocatedEnd;
        Map.Entry<Long, Long> before = free.floorEntry(start);
        if (before != null && before.getValue() == start) {
            start = before.getKey();
            free.remove(start);
        }
        Long after = free.remove(end);
        if (after != null) {
            end = after;
        }
        free.put(start, end);
    }

    /** Free bytes in total, however fragmented. */
    public synchronized long freeBytes() {
        long total = 0;
        for (Map.Entry<Long, Long> run : free.entrySet()) {
            total += run.getValue() - run.getKey();
        }
        return total;
    }
}
