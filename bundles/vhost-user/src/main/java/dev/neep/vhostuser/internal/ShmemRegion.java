package dev.neep.vhostuser.internal;

import java.io.IOException;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.neep.vhostuser.protocol.MmapRequest;
import dev.neep.vhostuser.protocol.VhostUserRequest;
import dev.neep.vhostuser.sys.Fd;
import dev.neep.vhostuser.sys.Posix;
import dev.neep.virtio.MappingSource;
import dev.neep.virtio.SharedMemoryException;
import dev.neep.virtio.SharedMemoryRanges;
import dev.neep.virtio.SharedMemoryRegion;

/**
 * One shared memory region as the front end holds it: a mapping is a BACKEND_SHMEM_MAP
 * request with a duplicate of the source's descriptor, an unmapping a BACKEND_SHMEM_UNMAP,
 * each acknowledged by the front end. Only file ranges can travel. The front end maps whole
 * pages with {@code mmap}, so offsets in the region and in the file must be page-aligned, and
 * the pages a mapping covers may not overlap another's.
 *
 * <p>Valid from one activation to the next stop or reset of the device ({@link #release}).
 * Called on the device's thread, one call at a time; a call waits for the front end's
 * answer, at most {@link BackendRequests#REPLY_TIMEOUT_MS}, except an unmapping while the
 * transport stops the device ({@link SharedMemory#deviceStopping}).
 */
final class ShmemRegion implements SharedMemoryRegion {

    private static final Logger LOG = LoggerFactory.getLogger(ShmemRegion.class);
    static final long PAGE = 4096;

    private final int shmid;
    private final long length;
    private final SharedMemory owner;
    private final SharedMemoryRanges mappings;
    private boolean released;

    ShmemRegion(int shmid, long length, SharedMemory owner) {
        this.shmid = shmid;
        this.length = length;
        this.owner = owner;
        this.mappings = new SharedMemoryRanges(length, PAGE);
    }

    @Override
    public int shmid() {
        return shmid;
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public Set<MappingSource.Kind> sources() {
        return SharedMemory.CARRIED;
    }

    @Override
    public synchronized void map(long offset, MappingSource source, Cache cache, Access access)
            throws SharedMemoryException {
        if (!(source instanceof MappingSource.FileRange file)) {
            throw new IllegalArgumentException("region " + shmid + " over vhost-user maps file ranges only, not "
                    + source.kind());
        }
        String refusal = mappings.refusal(offset, file.length());
        if (refusal != null) {
            throw new IllegalArgumentException("region " + shmid + ": " + refusal);
        }
        if (file.fdOffset() % PAGE != 0) {
            throw new IllegalArgumentException("file offset 0x" + Long.toHexString(file.fdOffset())
                    + " is not page-aligned");
        }
        if (released || owner.isFrontEndGone()) {
            throw new SharedMemoryException("region " + shmid + " is gone: "
                    + (released ? "the device was reset" : "the front end left"));
        }
        MmapRequest request = new MmapRequest(shmid, file.fdOffset(), offset, file.length(),
                access == Access.READ_WRITE ? MmapRequest.FLAG_MAP_RW : 0);
        try (Fd fd = Posix.dup(file.fd(), "blob descriptor for the front end")) {
            acknowledged(VhostUserRequest.BACKEND_SHMEM_MAP, request, fd);
        } catch (IOException e) {
            throw new SharedMemoryException(VhostUserRequest.backendName(VhostUserRequest.BACKEND_SHMEM_MAP) + " "
                    + request + ": " + e.getMessage(), e);
        }
        mappings.add(offset, file.length());
    }

    @Override
    public synchronized void unmap(long offset, long length) throws SharedMemoryException {
        if (!mappings.contains(offset, length)) {
            throw new IllegalArgumentException("region " + shmid + ": no mapping 0x" + Long.toHexString(offset)
                    + "+0x" + Long.toHexString(length));
        }
        if (!owner.isFrontEndGone()) {
            MmapRequest request = new MmapRequest(shmid, 0, offset, length, 0);
            try {
                unmapRequest(request);
            } catch (IOException e) {
                throw new SharedMemoryException(VhostUserRequest.backendName(VhostUserRequest.BACKEND_SHMEM_UNMAP)
                        + " " + request + ": " + e.getMessage(), e);
            }
        }
        mappings.remove(offset, length);
    }

    /** UNMAP, acknowledged, or only sent while the transport stops the device. */
    private void unmapRequest(MmapRequest request) throws IOException {
        if (!owner.isStopping()) {
            acknowledged(VhostUserRequest.BACKEND_SHMEM_UNMAP, request);
        } else if (!owner.tell(VhostUserRequest.BACKEND_SHMEM_UNMAP, request)) {
            throw new IOException("the back-end request channel is gone");
        }
    }

    /** How many mappings are live (for tests and the status). */
    synchronized int mappings() {
        return mappings.count();
    }

    /**
     * The activation is over: mappings left behind are removed from the front end (not waited
     * for, see {@link SharedMemory#deviceStopping}), and the region is void.
     */
    synchronized void release() {
        released = true;
        for (Map.Entry<Long, Long> m : mappings.mappings().entrySet()) {
            if (owner.isFrontEndGone()) {
                break;
            }
            try {
                unmapRequest(new MmapRequest(shmid, 0, m.getKey(), m.getValue(), 0));
            } catch (IOException e) {
                LOG.warn("region {}: the mapping at 0x{} left behind by the device stays with the front end: {}",
                        shmid, Long.toHexString(m.getKey()), e.getMessage());
            }
        }
        mappings.clear();
    }

    private void acknowledged(int request, MmapRequest payload, Fd... fds) throws IOException {
        long status = owner.request(request, payload, fds);
        if (status != 0) {
            throw new IOException("the front end answered " + Long.toUnsignedString(status));
        }
    }
}
