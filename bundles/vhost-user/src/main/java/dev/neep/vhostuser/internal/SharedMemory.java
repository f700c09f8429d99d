package dev.neep.vhostuser.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.neep.vhostuser.protocol.MmapRequest;
import dev.neep.vhostuser.protocol.ProtocolFeatures;
import dev.neep.vhostuser.protocol.ShmemConfig;
import dev.neep.vhostuser.sys.Fd;
import dev.neep.virtio.MappingSource;
import dev.neep.virtio.SharedMemoryDevice;
import dev.neep.virtio.SharedMemoryDevice.RegionRequest;
import dev.neep.virtio.SharedMemoryRegion;
import dev.neep.virtio.VirtioDevice;

/**
 * The VIRTIO shared memory regions of one connection: what the device asks for
 * ({@link SharedMemoryDevice}), told to the front end by GET_SHMEM_CONFIG, and handed to the
 * device at each activation as {@link ShmemRegion}s that map through the back-end request
 * channel.
 *
 * <p>The device gets regions only when the front end can serve them: it negotiated SHMEM,
 * BACKEND_REQ, BACKEND_SEND_FD (the descriptor travels with the request) and REPLY_ACK (the
 * only way to learn whether a mapping was made), asked GET_SHMEM_CONFIG (a front end lays out
 * its regions from that answer) and gave a back-end channel. Otherwise it gets none, and a
 * GPU then offers no host blobs.
 *
 * <p>Regions live from one activation to the next stop or reset of the device: mappings the
 * device left behind are then removed from the front end. When the front end leaves, its
 * mappings went with it: nothing more is sent, and unmapping only forgets.
 */
final class SharedMemory {

    private static final Logger LOG = LoggerFactory.getLogger(SharedMemory.class);
    private static final long NEEDED = ProtocolFeatures.bit(ProtocolFeatures.SHMEM)
            | ProtocolFeatures.bit(ProtocolFeatures.BACKEND_REQ) | ProtocolFeatures.bit(ProtocolFeatures.BACKEND_SEND_FD)
            | ProtocolFeatures.bit(ProtocolFeatures.REPLY_ACK);
    /** Only a descriptor can travel to the front end. */
    static final Set<MappingSource.Kind> CARRIED = Set.of(MappingSource.Kind.FILE_RANGE);

    private final Supplier<List<RegionRequest>> declared;
    private final BackendRequests backend;
    private final LongSupplier protocolFeatures;
    /** What GET_SHMEM_CONFIG answered; null until the front end asked. */
    private List<RegionRequest> reported;
    private final List<ShmemRegion> live = new ArrayList<>();
    private volatile boolean frontEndGone;
    private volatile boolean stopping;

    /**
     * @param declared         the regions the device asks for, read anew each time
     * @param protocolFeatures those the front end negotiated, read at each activation
     */
    SharedMemory(Supplier<List<RegionRequest>> declared, BackendRequests backend, LongSupplier protocolFeatures) {
        this.declared = declared;
        this.backend = backend;
        this.protocolFeatures = protocolFeatures;
    }

    /** For {@code device}: the regions it asks for when it is a {@link SharedMemoryDevice}, none otherwise. */
    SharedMemory(VirtioDevice device, BackendRequests backend, LongSupplier protocolFeatures) {
        this(() -> device instanceof SharedMemoryDevice shm ? shm.sharedMemoryRegions(CARRIED) : List.of(), backend,
                protocolFeatures);
    }

    /** GET_PROTOCOL_FEATURES: what this back-end implements, SHMEM only for a device that asks for regions. */
    long offeredProtocolFeatures() {
        return declared.get().isEmpty() ? ProtocolFeatures.OFFERED & ~ProtocolFeatures.bit(ProtocolFeatures.SHMEM)
                : ProtocolFeatures.OFFERED;
    }

    /** GET_SHMEM_CONFIG: the device's regions, by shmid. */
    synchronized ShmemConfig config() {
        reported = List.copyOf(declared.get());
        long[] sizes = new long[ShmemConfig.MAX_REGIONS];
        for (RegionRequest r : reported) {
            sizes[r.shmid()] = r.length();
        }
        return ShmemConfig.of(sizes);
    }

    /** The regions for the activation about to happen; none when the front end cannot serve them. */
    synchronized List<SharedMemoryRegion> forActivation() {
        List<RegionRequest> wanted = reported == null ? declared.get() : reported;
        if (wanted.isEmpty()) {
            return List.of();
        }
        long missing = NEEDED & ~protocolFeatures.getAsLong();
        String why = missing != 0 ? "the front end did not negotiate protocol features 0x" + Long.toHexString(missing)
                : reported == null ? "the front end did not ask GET_SHMEM_CONFIG"
                : !backend.isOpen() ? "the front end gave no back-end request channel" : null;
        if (why != null) {
            LOG.info("no shared memory regions for the device: {}", why);
            return List.of();
        }
        List<SharedMemoryRegion> regions = new ArrayList<>();
        for (RegionRequest r : wanted) {
            ShmemRegion region = new ShmemRegion(r.shmid(), r.length(), this);
            live.add(region);
            regions.add(region);
        }
        return List.copyOf(regions);
    }

    /**
     * The transport is about to stop or reset the device, on the control thread, maybe while the
     * front end waits for this back-end's answer (GET_VRING_BASE): a front end that serves its
     * back-end channel only between its own requests could not acknowledge an unmapping now. So
     * until {@link #deviceStopped}, UNMAP goes without NEED_REPLY and is not waited for; the
     * channel keeps the order, so the front end has removed the mapping before any later MAP.
     */
    void deviceStopping() {
        stopping = true;
    }

    /** The device was stopped or reset: its regions are void, and what it left mapped is unmapped. */
    synchronized void deviceStopped() {
        stopping = true;
        for (ShmemRegion region : live) {
            region.release();
        }
        live.clear();
        stopping = false;
    }

    boolean isStopping() {
        return stopping;
    }

    /** The front end left: its mappings went with it. Called before the device is reset. */
    void frontEndGone() {
        frontEndGone = true;
    }

    boolean isFrontEndGone() {
        return frontEndGone;
    }

    /** One round trip on the back-end channel: the front end's status, 0 when done. */
    long request(int request, MmapRequest payload, Fd... fds) throws IOException {
        return backend.requestAck(request, encode(payload), fds);
    }

    /** A request not waited for (see {@link #deviceStopping}); false when there is no channel. */
    boolean tell(int request, MmapRequest payload) throws IOException {
        return backend.send(request, encode(payload));
    }

    private static ByteBuffer encode(MmapRequest payload) {
        ByteBuffer b = ByteBuffer.allocate(MmapRequest.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        payload.encode(b);
        return b.flip();
    }
}
