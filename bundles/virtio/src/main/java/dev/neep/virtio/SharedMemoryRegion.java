package dev.neep.virtio;

import java.util.Set;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * One virtio shared memory region (virtio 1.2 §2.10 "Shared Memory Regions") as a transport
 * provides it to a device: a window of {@link #length()} bytes of the driver's address space,
 * named by {@link #shmid()}, into which the device maps host memory at offsets it chooses.
 * The bytes behind a window offset where nothing is mapped are the transport's business
 * (virtio-pci reads them as zero).
 *
 * <p>Who implements it: the transport, because only it (or the VMM behind it) can change what
 * the driver sees. In-process virtio-pci passes each call to the VMM; a vhost-user back end
 * turns it into {@code VHOST_USER_BACKEND_SHMEM_MAP} / {@code _UNMAP} requests to its front end.
 * A transport says by {@link #sources()} what it can carry: a vhost-user front end can map only
 * a file range (the fd travels over the socket), an in-process VMM can map host memory or a
 * file range.
 *
 * <p>The device keeps the table of its mappings and checks each one (alignment, bounds,
 * overlap) before calling here; a call that breaks those rules anyway is a device bug and gets
 * an {@link IllegalArgumentException}. What the host refuses (an mmap that fails, a front end
 * that answers no) is a {@link SharedMemoryException}, and nothing is mapped.
 *
 * <p>Threading: a device calls {@code map} and {@code unmap} on its own thread, one call at a
 * time; an implementation may block that thread for the round trip to its VMM or front end.
 *
 * <p>Lifetime: the regions a device is handed ({@link SharedMemoryDevice#provideSharedMemory})
 * are valid until its next {@link VirtioDevice#reset()}. The device unmaps what it mapped
 * before that reset returns; a transport drops whatever is still mapped after it.
 */
@ConsumerType
public interface SharedMemoryRegion {

    /** How the driver may access a mapping. */
    enum Access {
        READ_ONLY,
        READ_WRITE
    }

    /**
     * The caching the host memory needs behind the mapping (the kinds of virtio-gpu's
     * {@code VIRTIO_GPU_MAP_CACHE_*}); a transport that cannot choose (vhost-user) ignores it.
     */
    enum Cache {
        CACHED,
        UNCACHED,
        WRITE_COMBINE
    }

    /** The region's id, as the transport advertises it to the driver (a PCI capability's shmid). */
    int shmid();

    /** The region's size in bytes. */
    long length();

    /** The kinds of {@link MappingSource} this region can map; never empty. */
    Set<MappingSource.Kind> sources();

    /**
     * Makes {@code source} visible to the driver at {@code offset} of this region, with
     * {@code cache} and {@code access}, until {@link #unmap}. The source's bytes stay the
     * caller's: they must stay valid until the matching {@code unmap} returns. A file
     * descriptor stays the caller's too; an implementation that needs it beyond this call
     * duplicates it (mapping it, or sending it over a socket, does so).
     *
     * @throws IllegalArgumentException the source's kind is not one of {@link #sources()}, or
     *         {@code [offset, offset + source.length())} is not inside the region
     * @throws SharedMemoryException the host refused; nothing is mapped
     */
    void map(long offset, MappingSource source, Cache cache, Access access) throws SharedMemoryException;

    /**
     * Removes the mapping made at {@code offset} with {@code length} bytes: the driver sees it
     * no more once this returns.
     *
     * @throws IllegalArgumentException no mapping starts at {@code offset} with that length
     * @throws SharedMemoryException the host refused; the mapping may still be visible
     */
    void unmap(long offset, long length) throws SharedMemoryException;
}
