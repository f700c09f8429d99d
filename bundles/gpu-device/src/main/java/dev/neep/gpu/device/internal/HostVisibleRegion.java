package dev.neep.gpu.device.internal;

import dev.neep.virtio.MappingSource;
import dev.neep.virtio.SharedMemoryException;
import dev.neep.virtio.SharedMemoryRegion;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The host-visible shared memory region (shmid 1) as the device uses it: the region its
 * transport provided for this activation, if any, and the table of what is mapped where, by
 * offset and by resource. {@link #placement} checks a guest's offset against the region and the
 * table before anything happens; {@link #map} and {@link #unmap} keep the table and the
 * region in step.
 *
 * <p>Confined to the device thread.
 */
final class HostVisibleRegion {
    /** Mappings start and end on host pages. */
    static final long PAGE = 4096;

    /** {@code length} whole pages at {@code offset}, of which the region was given {@code mapped} bytes. */
    record Mapping(int resourceId, long offset, long length, long mapped) {
        long end() {
            return offset + length;
        }
    }

    private SharedMemoryRegion region;
    private final TreeMap<Long, Mapping> byOffset = new TreeMap<>();
    private final Map<Integer, Mapping> byResource = new HashMap<>();
    private long used;

    /** The region of the activation to come (null: none); the table is empty by then. */
    void use(SharedMemoryRegion next) {
        if (!byOffset.isEmpty()) {
            throw new IllegalStateException(byOffset.size() + " mappings outlive their region");
        }
        region = next;
    }

    boolean present() {
        return region != null;
    }

    SharedMemoryRegion region() {
        return region;
    }

    /** The region's size, 0 without one. */
    long size() {
        return region == null ? 0 : region.length();
    }

    /** Bytes of the region mapped now, each mapping counted in whole pages. */
    long used() {
        return used;
    }

    int count() {
        return byOffset.size();
    }

    boolean isMapped(int resourceId) {
        return byResource.containsKey(resourceId);
    }

    /**
     * Why {@code size} bytes cannot be mapped at {@code offset} (the guest's u64), or null when
     * they can: the offset is page aligned, the pages lie inside the region, and they overlap no
     * mapping. Overflow-safe for any offset and any positive size.
     */
    String placement(long offset, long size) {
        if (Long.remainderUnsigned(offset, PAGE) != 0) {
            return "offset 0x" + Long.toHexString(offset) + " is not aligned to the host page (" + PAGE + ")";
        }
        long length = size();
        if (Long.compareUnsigned(offset, length) >= 0 || size > length - offset) {
            return "offset 0x" + Long.toHexString(offset) + " + size " + size + " is not inside the region of "
                    + length + " bytes";
        }
        long pages = pages(size);
        if (pages > length - offset) {
            return "offset 0x" + Long.toHexString(offset) + " + size " + size + " rounded to pages (" + pages
                    + ") is not inside the region of " + length + " bytes";
        }
        Map.Entry<Long, Mapping> before = byOffset.floorEntry(offset);
        if (before != null && before.getValue().end() > offset) {
            return "offset 0x" + Long.toHexString(offset) + " overlaps " + describe(before.getValue());
        }
        Map.Entry<Long, Mapping> after = byOffset.ceilingEntry(offset);
        if (after != null && after.getKey() < offset + pages) {
            return "offset 0x" + Long.toHexString(offset) + " + " + pages + " overlaps " + describe(after.getValue());
        }
        return null;
    }

    /** Maps {@code source} for {@code resourceId} at a {@link #placement} that said yes. */
    void map(int resourceId, long offset, MappingSource source, SharedMemoryRegion.Cache cache)
            throws SharedMemoryException {
        region.map(offset, source, cache, SharedMemoryRegion.Access.READ_WRITE);
        Mapping m = new Mapping(resourceId, offset, pages(source.length()), source.length());
        byOffset.put(offset, m);
        byResource.put(resourceId, m);
        used += m.length();
    }

    /**
     * Removes {@code resourceId}'s mapping from the region and the table; the table forgets it
     * even when the region refuses (the exception then says so), so a reset always ends empty.
     */
    void unmap(int resourceId) throws SharedMemoryException {
        Mapping m = byResource.remove(resourceId);
        if (m == null) {
            return;
        }
        byOffset.remove(m.offset());
        used -= m.length();
        region.unmap(m.offset(), m.mapped());
    }

    /** {@code size} rounded up to whole pages; {@code size} is at most the region's length. */
    static long pages(long size) {
        return (size + PAGE - 1) & -PAGE;
    }

    private static String describe(Mapping m) {
        return "resource " + Integer.toUnsignedString(m.resourceId()) + " mapped at 0x" + Long.toHexString(m.offset())
                + " (" + m.length() + " bytes)";
    }
}
