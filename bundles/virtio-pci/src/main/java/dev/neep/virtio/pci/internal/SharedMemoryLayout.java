package dev.neep.virtio.pci.internal;

import dev.neep.virtio.MappingSource;
import dev.neep.virtio.OnceLog;
import dev.neep.virtio.SharedMemoryDevice;
import dev.neep.virtio.SharedMemoryDevice.RegionRequest;
import dev.neep.virtio.SharedMemoryException;
import dev.neep.virtio.SharedMemoryRanges;
import dev.neep.virtio.SharedMemoryRegion;
import dev.neep.virtio.VirtioDevice;
import dev.neep.virtio.pci.SharedMemoryBar;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The shared memory regions of a virtio-pci function laid out in its one shared memory BAR:
 * each region the device asked for, in order, page aligned, the BAR the next power of two. Each
 * region is a {@link SharedMemoryRegion} that checks the device's calls against its bounds,
 * passes them to the VMM's {@link SharedMemoryBar} at the BAR offset, and remembers what is
 * mapped, so that whatever a device leaves mapped at reset is unmapped here.
 */
public final class SharedMemoryLayout {
    private static final long PAGE = 4096;

    /** One region at {@code barOffset} of the BAR. */
    public final class Region implements SharedMemoryRegion {
        private final int shmid;
        private final long barOffset;
        private final long length;
        /** What is mapped, byte by byte: the VMM maps any range. */
        private final SharedMemoryRanges live;

        Region(int shmid, long barOffset, long length) {
            this.shmid = shmid;
            this.barOffset = barOffset;
            this.length = length;
            this.live = new SharedMemoryRanges(length, 1);
        }

        @Override
        public int shmid() {
            return shmid;
        }

        @Override
        public long length() {
            return length;
        }

        /** Where the region starts in the BAR. */
        public long barOffset() {
            return barOffset;
        }

        @Override
        public Set<MappingSource.Kind> sources() {
            return bar.sources();
        }

        @Override
        public synchronized void map(long offset, MappingSource source, Cache cache, Access access)
                throws SharedMemoryException {
            if (!bar.sources().contains(source.kind())) {
                throw new IllegalArgumentException("this VMM maps " + bar.sources() + ", not " + source.kind());
            }
            String refusal = live.refusal(offset, source.length());
            if (refusal != null) {
                throw new IllegalArgumentException("shared memory region " + shmid + ": " + refusal);
            }
            bar.map(barOffset + offset, source, cache, access);
            live.add(offset, source.length());
        }

        @Override
        public synchronized void unmap(long offset, long length) throws SharedMemoryException {
            if (!live.remove(offset, length)) {
                throw new IllegalArgumentException(String.format("nothing of %d bytes is mapped at 0x%x of shared"
                        + " memory region %d", length, offset, shmid));
            }
            bar.unmap(barOffset + offset, length);
        }

        /** Unmaps what the device left mapped; returns how many. */
        synchronized int unmapLeftovers() {
            int n = 0;
            for (Map.Entry<Long, Long> e : live.mappings().entrySet()) {
                n++;
                try {
                    unmap(e.getKey(), e.getValue());
                } catch (SharedMemoryException ex) {
                    log.host("unmap at reset", "shared memory region " + shmid + " at 0x"
                            + Long.toHexString(e.getKey()) + ": " + ex.getMessage(), ex);
                }
            }
            return n;
        }
    }

    private final SharedMemoryBar bar;
    private final OnceLog log;
    private final List<Region> regions = new ArrayList<>();
    private final long barSize;

    private SharedMemoryLayout(SharedMemoryBar bar, List<RegionRequest> requests, OnceLog log) {
        this.bar = bar;
        this.log = log;
        long next = 0;
        for (RegionRequest r : requests) {
            regions.add(new Region(r.shmid(), next, r.length()));
            next = Math.addExact(next, (r.length() + PAGE - 1) & -PAGE);
        }
        barSize = next <= PAGE ? PAGE : Long.highestOneBit(next - 1) << 1;
    }

    /**
     * The layout for what {@code device} asks of a VMM that maps what {@code bar} can carry; null
     * when there is no BAR or the device asks for no region.
     */
    public static SharedMemoryLayout of(VirtioDevice device, SharedMemoryBar bar, OnceLog log) {
        if (bar == null || !(device instanceof SharedMemoryDevice shm)) {
            return null;
        }
        List<RegionRequest> requests = shm.sharedMemoryRegions(bar.sources());
        return requests.isEmpty() ? null : new SharedMemoryLayout(bar, requests, log);
    }

    public List<Region> regions() {
        return List.copyOf(regions);
    }

    public long barSize() {
        return barSize;
    }

    public SharedMemoryBar bar() {
        return bar;
    }

    /** After a device reset: unmaps whatever the device left mapped, and logs that it did. */
    public void afterReset() {
        for (Region r : regions) {
            int left = r.unmapLeftovers();
            if (left > 0) {
                log.host("mappings left at reset", left + " mappings of shared memory region " + r.shmid()
                        + " outlived the device's reset; unmapped by the transport", null);
            }
        }
    }
}
