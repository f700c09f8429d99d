package dev.neep.testkit;

import dev.neep.virtio.MappingSource;
import dev.neep.virtio.SharedMemoryException;
import dev.neep.virtio.SharedMemoryRegion;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link SharedMemoryRegion} (shmid 1) as an in-process VMM gives it to a device, for tests:
 * it keeps what the device maps at each offset, so a test plays the guest reading and writing
 * through a mapping ({@link #at}); records each call in order (with a backend's calls when it
 * shares their list); refuses when told to ({@link #refuse}); and holds the device to the SPI's
 * rules: a source of a kind it carries, inside the region, one mapping per offset, an unmap that
 * matches a map. Thread-safe.
 */
public final class RecordingRegion implements SharedMemoryRegion {
    private final long length;
    private final Set<MappingSource.Kind> kinds;
    private final Map<Long, MappingSource> live = new ConcurrentHashMap<>();
    private final List<String> calls;
    private volatile String refuse;

    /**
     * A region of {@code length} bytes mapping sources of {@code kinds}, adding
     * {@code "region map OFFSET KIND CACHE"} and {@code "region unmap OFFSET"} to {@code calls}.
     */
    public RecordingRegion(long length, Set<MappingSource.Kind> kinds, List<String> calls) {
        this.length = length;
        this.kinds = Set.copyOf(kinds);
        this.calls = calls;
    }

    /** A region of {@code length} bytes mapping host memory and file ranges, with a list of its own. */
    public RecordingRegion(long length) {
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
        if (!kinds.contains(source.kind()) || offset < 0 || source.length() > length - offset
                || live.containsKey(offset)) {
            throw new IllegalArgumentException("bad map at " + offset + " of " + source);
        }
        calls.add("region map " + offset + " " + source.kind() + " " + cache);
        if (refuse != null) {
            throw new SharedMemoryException(refuse);
        }
        live.put(offset, source);
    }

    @Override
    public void unmap(long offset, long length) {
        MappingSource s = live.get(offset);
        if (s == null || s.length() != length) {
            throw new IllegalArgumentException("no mapping of " + length + " bytes at " + offset);
        }
        calls.add("region unmap " + offset);
        live.remove(offset);
    }

    /** From now on each map is refused with {@code why} (a {@link SharedMemoryException}); null: none is. */
    public void refuse(String why) {
        refuse = why;
    }

    /** What is mapped now, by offset (a live, read-only view). */
    public Map<Long, MappingSource> live() {
        return Collections.unmodifiableMap(live);
    }

    /** The guest's view of the mapping at {@code offset}: the host memory the device mapped there. */
    public ByteBuffer at(long offset) {
        MappingSource source = live.get(offset);
        if (!(source instanceof MappingSource.HostMemory host)) {
            throw new AssertionError("nothing mapped from host memory at " + offset + ": " + source);
        }
        return host.memory().duplicate();
    }
}
