package dev.neep.gpu.device.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The guest's resources by id, and the host memory they are charged against
 * {@code max_hostmem}: a resource's charge is taken when it enters the table and given back
 * when it leaves, so the account is exact whatever the backend said.
 *
 * <p>Confined to the device thread.
 */
final class ResourceTable {
    private final Map<Integer, Resource> resources = new HashMap<>();
    private long maxHostmem;
    private long hostmemUsed;

    ResourceTable(long maxHostmem) {
        this.maxHostmem = maxHostmem;
    }

    /** A new {@code max_hostmem}; resources already charged stay. */
    void limit(long bytes) {
        maxHostmem = bytes;
    }

    /** The resource of {@code id}, or null. */
    Resource get(int id) {
        return resources.get(id);
    }

    boolean contains(int id) {
        return resources.containsKey(id);
    }

    int size() {
        return resources.size();
    }

    long maxHostmem() {
        return maxHostmem;
    }

    long hostmemUsed() {
        return hostmemUsed;
    }

    /** What is left of {@code max_hostmem}. */
    long hostmemLeft() {
        return maxHostmem - hostmemUsed;
    }

    /** Takes in {@code r} and charges its host memory. */
    void add(Resource r) {
        resources.put(r.id, r);
        hostmemUsed += r.hostmem;
    }

    /** Drops {@code r}, its views of guest memory and its charge. */
    void remove(Resource r) {
        resources.remove(r.id);
        r.detach();
        hostmemUsed -= r.hostmem;
    }

    /** Every resource, in no particular order; a copy, so the caller may remove as it goes. */
    List<Resource> all() {
        return List.copyOf(resources.values());
    }
}
