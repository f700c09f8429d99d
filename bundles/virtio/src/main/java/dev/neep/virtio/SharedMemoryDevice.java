package dev.neep.virtio;

import java.util.List;
import java.util.Set;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * What a {@link VirtioDevice} that maps into shared memory regions (virtio 1.2 §2.10) implements
 * besides: the regions it wants, and the ones its transport provides. A device that does not
 * implement it gets none.
 *
 * <p>Before each {@link VirtioDevice#activate}, the transport (through
 * {@link VirtioTransportCore}) calls {@link #provideSharedMemory} with the regions it can
 * provide, from those {@link #sharedMemoryRegions} asked for: each has the id and at most the
 * length asked. A transport that cannot provide any (a vhost-user front end without the
 * {@code SHMEM} protocol feature) provides an empty list, and the device works without them.
 */
@ConsumerType
public interface SharedMemoryDevice {

    /** One region a device asks for: its id and its size in bytes. */
    record RegionRequest(int shmid, long length) {
        public RegionRequest {
            if (shmid < 0 || shmid > 255) {
                throw new IllegalArgumentException("shmid " + shmid + " is not 0..255");
            }
            if (length <= 0) {
                throw new IllegalArgumentException("shared memory region " + shmid + " of " + length + " bytes");
            }
        }
    }

    /**
     * The regions this device wants from a transport whose regions map sources of the kinds
     * {@code carried}, each id once; read by the transport when it lays itself out (a PCI
     * function its BARs, a vhost-user back end its answer to GET_SHMEM_CONFIG). Empty when it
     * wants none: virtio-gpu with {@code hostmem} 0, or with a backend that has nothing such a
     * transport can carry (a renderer that exports no file descriptors, over vhost-user).
     */
    List<RegionRequest> sharedMemoryRegions(Set<MappingSource.Kind> carried);

    /**
     * The regions the transport provides for the activation about to happen, valid until the
     * next {@link VirtioDevice#reset()}; empty when it can provide none. Called on the
     * transport's thread, before {@link VirtioDevice#activate}.
     */
    void provideSharedMemory(List<SharedMemoryRegion> regions);
}
