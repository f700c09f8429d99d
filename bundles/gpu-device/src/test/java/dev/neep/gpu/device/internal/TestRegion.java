package dev.neep.gpu.device.internal;

import dev.neep.virtio.MappingSource;
import dev.neep.virtio.SharedMemoryException;
import dev.neep.virtio.SharedMemoryRegion;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link SharedMemoryRegion} test double: keeps what is mapped where, records each call in
 * order (with the backend's calls when it shares their list), refuses when told to, and holds
 * the device to the SPI's rules (inside the region, a source of a kind it carries, an unmap
 * that matches a map).
 */
final class TestRegion implements SharedMemoryRegion {
    final long length;
    final Set<MappingSource.Kind> kinds;
    final Map<Long, MappingSource> live = new ConcurrentHashMap<>();
    final List<String> calls;
    volatile String refuse;

    TestRegion(long length, Set<MappingSource.Kind> kinds, List<String> calls) {
        this.length = length;
        this.kinds = kinds;
        this.calls = calls;
    }

    TestRegion(long length) {
        this(length, Set.of(MappingSource.Kind.HOST_MEMORY, MappingSource.Kind.FILE_RANGE),
                new CopyOnWriteArrayList<>());
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
        return kinds;
    }

    @Override
    public void map(long offset, MappingSource source, Cache cache, Access access) throws SharedMemoryException {
        if (!kinds.contains(source.kind()) || offset < 0 || source.length() > length - offset) {
            throw new IllegalArgumentException("bad map " + offset + " " + source);
        }
        calls.add("region map " + offset + " " + source.kind() + " " + cache);
        if (refuse != null) {
            throw new SharedMemoryException(refuse);
        }
        live.put(offset, source);
    }

    @Override
    public void unmap(long offset, long length) throws SharedMemoryException {
        MappingSource s = live.get(offset);
        if (s == null || s.length() != length) {
            throw new IllegalArgumentException("no mapping of " + length + " at " + offset);
        }
        calls.add("region unmap " + offset);
        live.remove(offset);
    }
}
