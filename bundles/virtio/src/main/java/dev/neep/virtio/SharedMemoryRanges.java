package dev.neep.virtio;

import java.util.Map;
import java.util.TreeMap;

/**
 * The table of what is mapped into one {@link SharedMemoryRegion}, as its transport keeps it:
 * each mapping by its offset, with its length. A mapping is checked before it is added: it
 * starts on a {@code granule} (a host page for a front end that maps with {@code mmap}, 1 byte
 * for a VMM that maps any range), its granules lie inside the region and overlap no other
 * mapping's. Each mapping counts in whole granules, its length stays the one it was made with.
 * The checks are overflow-safe for any offset and length.
 *
 * <p>Not thread-safe: its owner serializes the calls, as it serializes its region's.
 */
public final class SharedMemoryRanges {
    private final long length;
    private final long granule;
    /** Mappings by offset: their length. */
    private final TreeMap<Long, Long> mappings = new TreeMap<>();

    /**
     * An empty table for a region of {@code length} bytes whose mappings start and end on
     * {@code granule} bytes, a power of two.
     */
    public SharedMemoryRanges(long length, long granule) {
        if (length < 0 || granule <= 0 || Long.bitCount(granule) != 1) {
            throw new IllegalArgumentException("region of " + length + " bytes, granule " + granule);
        }
        this.length = length;
        this.granule = granule;
    }

    /**
     * Why {@code size} bytes cannot be mapped at {@code offset}, or null when they can: the
     * offset is a multiple of the granule, the size positive, the granules the mapping covers
     * inside the region and free.
     */
    public String refusal(long offset, long size) {
        if (offset < 0 || offset >= length) {
            return "offset 0x" + Long.toHexString(offset) + " is not inside the region's 0x" + Long.toHexString(length)
                    + " bytes";
        }
        if (offset % granule != 0) {
            return "offset 0x" + Long.toHexString(offset) + " is not aligned to " + granule + " bytes";
        }
        long covered = roundUp(size);
        if (size <= 0 || covered < size || offset > length - covered) {
            return "0x" + Long.toHexString(offset) + "+0x" + Long.toHexString(size) + (granule == 1 ? "" : " in whole "
                    + granule + "-byte granules") + " is not inside the region's 0x" + Long.toHexString(length) + " bytes";
        }
        Map.Entry<Long, Long> before = mappings.floorEntry(offset + covered - 1);
        if (before != null && before.getKey() + roundUp(before.getValue()) > offset) {
            return "0x" + Long.toHexString(offset) + "+0x" + Long.toHexString(size) + " overlaps the mapping at 0x"
                    + Long.toHexString(before.getKey()) + "+0x" + Long.toHexString(before.getValue());
        }
        return null;
    }

    /**
     * Adds a mapping of {@code size} bytes at {@code offset}.
     *
     * @throws IllegalArgumentException it cannot be mapped: the {@link #refusal}
     */
    public void add(long offset, long size) {
        String refusal = refusal(offset, size);
        if (refusal != null) {
            throw new IllegalArgumentException(refusal);
        }
        mappings.put(offset, size);
    }

    /** Whether a mapping of {@code size} bytes starts at {@code offset}. */
    public boolean contains(long offset, long size) {
        Long mapped = mappings.get(offset);
        return mapped != null && mapped == size;
    }

    /** Removes the mapping of {@code size} bytes at {@code offset}; false when there is none. */
    public boolean remove(long offset, long size) {
        return contains(offset, size) && mappings.remove(offset) != null;
    }

    /** The mappings now, by offset: their length (a copy). */
    public Map<Long, Long> mappings() {
        return new TreeMap<>(mappings);
    }

    /** How many mappings there are. */
    public int count() {
        return mappings.size();
    }

    /** Forgets every mapping. */
    public void clear() {
        mappings.clear();
    }

    private long roundUp(long size) {
        return (size + granule - 1) & -granule;
    }
}
