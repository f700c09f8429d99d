package dev.neep.virtio.pci;

import dev.neep.virtio.MappingSource;
import dev.neep.virtio.SharedMemoryException;
import dev.neep.virtio.SharedMemoryRegion;
import java.util.Set;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * What a VMM gives a {@link VirtioPciFunction} for the BAR that holds its device's shared memory
 * regions (virtio 1.2 §4.1.4.7, {@code VIRTIO_PCI_CAP_SHARED_MEMORY_CFG}): only the VMM can
 * change what its guest sees at a guest-physical address, so the function asks it to. Offsets
 * are in the BAR; where the driver placed the BAR ({@link PciFunction#barAddress}) is the VMM's
 * to follow.
 *
 * <p>A VMM that maps for real (a KVM memory slot over the host memory or the file) makes the
 * driver's accesses to mapped ranges never reach the function. Accesses that do reach it (a VMM
 * that traps the whole BAR, or a hole between mappings) go to {@link #read} and {@link #write}.
 * {@link JavaSharedMemoryBar} is the reference: it serves every access in Java, for tests and for
 * VMMs that trap MMIO anyway.
 *
 * <p>Threading: {@code map} and {@code unmap} come from the device's thread, {@code read} and
 * {@code write} from vCPU threads, concurrently.
 */
@ConsumerType
public interface SharedMemoryBar {

    /** The kinds of source this VMM can map into its guest; never empty. */
    Set<MappingSource.Kind> sources();

    /**
     * Shows {@code source} to the guest at {@code offset} of the BAR until {@link #unmap}. The
     * function has checked that the range lies inside one region of the BAR and overlaps nothing
     * mapped; the source's memory and file descriptor stay the caller's (the VMM duplicates a
     * descriptor it keeps).
     *
     * @throws SharedMemoryException the VMM could not; nothing is mapped
     */
    void map(long offset, MappingSource source, SharedMemoryRegion.Cache cache, SharedMemoryRegion.Access access)
            throws SharedMemoryException;

    /**
     * Removes the mapping made at {@code offset} with {@code length} bytes.
     *
     * @throws SharedMemoryException the VMM could not
     */
    void unmap(long offset, long length) throws SharedMemoryException;

    /** A driver's read of {@code size} (1, 2, 4 or 8) bytes at {@code offset} that reached the function. */
    long read(long offset, int size);

    /** A driver's write that reached the function. */
    void write(long offset, int size, long value);
}
