package dev.neep.backend.rutabaga.internal;

import dev.neep.virtio.MappingSource;
import dev.neep.virtio.SharedMemoryRegion;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The host-visible region as an in-process VMM gives it to the device: it keeps what the device
 * maps at each offset, so a test plays the guest writing through its mapping of a blob.
 */
final class HostWindow implements SharedMemoryRegion {

    private final long length;
    private final Map<Long, MappingSource> mapped = new ConcurrentHashMap<>();

    HostWindow(long length) {
        this.length = length;
    }

    @Override
    public int shmid() {
        return 1;
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public Set<MappingSource.Kind> sources() {
        return Set.of(MappingSource.Kind.HOST_MEMORY);
    }

    @Override
    public void map(long offset, MappingSource source, Cache cache, Access access) {
        if (offset < 0 || offset + source.length() > length || mapped.putIfAbsent(offset, source) != null) {
            throw new IllegalArgumentException("mapping at " + offset + " of " + source.length() + " bytes");
        }
    }

    @Override
    public void unmap(long offset, long length) {
        MappingSource source = mapped.get(offset);
        if (source == null || source.length() != length) {
            throw new IllegalArgumentException("no mapping of " + length + " bytes at " + offset);
        }
        mapped.remove(offset);
    }

    /** The guest's view of the mapping at {@code offset}: the host memory the device mapped there. */
    ByteBuffer at(long offset) {
        MappingSource source = mapped.get(offset);
        if (!(source instanceof MappingSource.HostMemory host)) {
            throw new AssertionError("nothing mapped from host memory at " + offset + ": " + source);
        }
        return host.memory().duplicate();
    }

    int mappings() {
        return mapped.size();
    }
}
