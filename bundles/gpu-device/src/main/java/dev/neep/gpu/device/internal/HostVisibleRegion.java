package dev.neep.gpu.device.internal;

import dev.neep.virtio.MappingSource;
import dev.neep.virtio.SharedMemoryException;
import dev.neep.virtio.SharedMemoryRanges;
import dev.neep.virtio.SharedMemoryRegion;
import java.util.HashMap;
import java.util.Map;

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
    }

    private SharedMemoryRegion region;
    /** What is mapped where, in whole pages. */
    private SharedMemoryRanges byOffset = new SharedMemoryRanges(0, PAGE);
    private final Map<Integer, Mapping> byResource = new HashMap<>();
    private long used;

    /** The region of the activation to come (null: none); the table is empty by then. */
    void use(SharedMemoryRegion next) {
        if (!byResource.isEmpty()) {
            throw new IllegalStateException(byResource.size() + " mappings outlive their region");
        }
        region = next;
        byOffset = new SharedMemoryRanges(size(), PAGE);
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
        return byResource.size();
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
        return byOffset.refusal(offset, size);
    }

    /** Maps {@code source} for {@code resourceId} at a {@link #placement} that said yes. */
    void map(int resourceId, long offset, MappingSource source, SharedMemoryRegion.Cache cache)
            throws SharedMemoryException {
        region.map(offset, source, cache, SharedMemoryRegion.Access.READ_WRITE);
        Mapping m = new Mapping(resourceId, offset, pages(source.length()), source.length());
        byOffset.add(offset, source.length());
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
        byOffset.remove(m.offset(), m.mapped());
        used -= m.length();
        region.unmap(m.offset(), m.mapped());
    }

    /** {@code size} rounded up to whole pages; {@code size} is at most the region's length. */
    static long pages(long size) {
        return (size + PAGE - 1) & -PAGE;
    }
}
