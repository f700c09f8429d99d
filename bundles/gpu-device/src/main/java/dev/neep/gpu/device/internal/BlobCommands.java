package dev.neep.gpu.device.internal;

import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_PARAMETER;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_UNSPEC;

import dev.neep.gpu.api.BlobMapping;
import dev.neep.gpu.api.CreateBlobArgs;
import dev.neep.gpu.protocol.Blobs;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.RespMapInfo;
import dev.neep.gpu.protocol.ResourceCreateBlob;
import dev.neep.gpu.protocol.ResourceMapBlob;
import dev.neep.gpu.protocol.ResourceUnmapBlob;
import dev.neep.virtio.ChainReader;
import dev.neep.virtio.MappingSource;
import dev.neep.virtio.OnceLog;
import dev.neep.virtio.SharedMemoryException;
import dev.neep.virtio.SharedMemoryRegion;
import java.util.Set;

/**
 * Blob resources (feature RESOURCE_BLOB): RESOURCE_CREATE_BLOB, RESOURCE_MAP_BLOB and
 * RESOURCE_UNMAP_BLOB. Mapping shows a host blob to the driver through the host-visible shared
 * memory region its transport provided ({@link HostVisibleRegion}).
 */
final class BlobCommands {
    private static final int KNOWN_FLAGS = Blobs.BLOB_FLAG_USE_MAPPABLE | Blobs.BLOB_FLAG_USE_SHAREABLE
            | Blobs.BLOB_FLAG_USE_CROSS_DEVICE;

    private final ResourceTable resources;
    private final ContextTable contexts;
    private final BackendSlot backend;
    private final Checks checks;
    private final HostVisibleRegion region;
    private final OnceLog log;

    BlobCommands(ResourceTable resources, ContextTable contexts, BackendSlot backend, Checks checks,
            HostVisibleRegion region, OnceLog log) {
        this.resources = resources;
        this.contexts = contexts;
        this.backend = backend;
        this.checks = checks;
        this.region = region;
        this.log = log;
    }

    Reply createBlob(ResourceCreateBlob r, ChainReader trailing) {
        Reply bad = checks.requireBlob(r.hdr());
        if (bad == null) {
            bad = checks.newResourceId(r.hdr(), r.resourceId());
        }
        if (bad != null) {
            return bad;
        }
        int mem = r.blobMem();
        if (mem != Blobs.BLOB_MEM_GUEST && mem != Blobs.BLOB_MEM_HOST3D && mem != Blobs.BLOB_MEM_HOST3D_GUEST) {
            return checks.refuse(r.hdr(), "blob_mem", "blob_mem " + Integer.toUnsignedString(mem) + " is not 1..3",
                    RESP_ERR_INVALID_PARAMETER);
        }
        if ((r.blobFlags() & ~KNOWN_FLAGS) != 0) {
            return checks.refuse(r.hdr(), "blob_flags", "unknown blob_flags 0x" + Integer.toHexString(r.blobFlags()),
                    RESP_ERR_INVALID_PARAMETER);
        }
        int ctx = r.hdr().ctxId();
        if ((mem != Blobs.BLOB_MEM_GUEST || ctx != 0) && !contexts.contains(ctx)) {
            return checks.unknownContext(r.hdr(), ctx);
        }
        if (r.size() <= 0) {
            return checks.refuse(r.hdr(), "size", "blob size " + Long.toUnsignedString(r.size())
                    + " is zero or above 2^63", RESP_ERR_INVALID_PARAMETER);
        }
        bad = checks.hostmem(r.hdr(), r.size(), "blob of " + r.size() + " bytes");
        if (bad != null) {
            return bad;
        }
        Backing backing;
        if (mem == Blobs.BLOB_MEM_HOST3D) {
            if (r.nrEntries() != 0) {
                return checks.refuse(r.hdr(), "nr_entries", "a host-only blob takes no guest pages, got "
                        + Integer.toUnsignedString(r.nrEntries()) + " entries", RESP_ERR_INVALID_PARAMETER);
            }
            backing = Backing.NONE;
        } else {
            backing = checks.backing(r.hdr(), r.nrEntries(), trailing);
            if (backing.refused() != null) {
                return backing.refused();
            }
            if (mem == Blobs.BLOB_MEM_GUEST && backing.length() < r.size()) {
                return checks.refuse(r.hdr(), "size vs entries", "blob of " + r.size() + " bytes backed by only "
                        + backing.length(), RESP_ERR_INVALID_PARAMETER);
            }
        }
        CreateBlobArgs create = new CreateBlobArgs(mem, r.blobFlags(), r.blobId(), r.size());
        Reply failed = backend.call("CMD_RESOURCE_CREATE_BLOB",
                b -> b.resourceCreateBlob(ctx, r.resourceId(), create, backing.views()));
        if (failed != null) {
            return failed;
        }
        resources.add(Resource.blob(r.resourceId(), mem, r.blobFlags(), r.size(), backing.views(), backing.length()));
        return Reply.OK;
    }

    /**
     * RESOURCE_MAP_BLOB, every rule checked before anything is mapped: the resource is a host
     * blob created with USE_MAPPABLE and not mapped yet, the transport provided a host-visible
     * region, and the blob's pages fit it at {@code offset} beside every live mapping (see
     * {@link HostVisibleRegion#placement}). Then the backend maps it and the region shows it.
     */
    Reply mapBlob(ResourceMapBlob r) {
        Reply bad = checks.requireBlob(r.hdr());
        if (bad != null) {
            return bad;
        }
        Resource res = resources.get(r.resourceId());
        if (res == null) {
            return checks.unknownResource(r.hdr(), r.resourceId());
        }
        if (!res.isBlob() || res.blobMem == Blobs.BLOB_MEM_GUEST
                || (res.blobFlags & Blobs.BLOB_FLAG_USE_MAPPABLE) == 0) {
            return checks.refuse(r.hdr(), "not mappable", res + " is not a host blob created with"
                    + " BLOB_FLAG_USE_MAPPABLE", RESP_ERR_INVALID_PARAMETER);
        }
        if (region.isMapped(res.id)) {
            return checks.refuse(r.hdr(), "already mapped", res + " is mapped already", RESP_ERR_INVALID_PARAMETER);
        }
        if (!region.present()) {
            // A driver maps only when it found the region, so asking without one is its mistake.
            return checks.refuse(r.hdr(), "no host-visible region", "the transport provides no host-visible shared"
                    + " memory region to map " + res + " into", RESP_ERR_UNSPEC);
        }
        String misplaced = region.placement(r.offset(), res.blobSize);
        if (misplaced != null) {
            return checks.refuse(r.hdr(), "offset", res + ": " + misplaced, RESP_ERR_INVALID_PARAMETER);
        }
        BlobMapping[] mapped = new BlobMapping[1];
        Reply failed = backend.call("CMD_RESOURCE_MAP_BLOB", b -> mapped[0] = b.mapBlob(res.id));
        if (failed != null) {
            return failed;
        }
        BlobMapping mapping = mapped[0];
        try {
            region.map(res.id, r.offset(), source(res, mapping), cache(mapping.mapInfo()));
        } catch (SharedMemoryException | IllegalArgumentException e) {
            log.host("map into the host-visible region", res + " at 0x" + Long.toHexString(r.offset()) + ": "
                    + e.getMessage(), e);
            backend.call("CMD_RESOURCE_MAP_BLOB (undo)", b -> b.unmapBlob(res.id));
            return Reply.error(RESP_ERR_UNSPEC);
        }
        int mapInfo = mapping.mapInfo();
        return Reply.with(CtrlType.RESP_OK_MAP_INFO, h -> new RespMapInfo(h, mapInfo));
    }

    /** What the region can show of {@code mapping}: the host memory itself, or the file the backend exported. */
    private MappingSource source(Resource res, BlobMapping mapping) {
        Set<MappingSource.Kind> kinds = region.region().sources();
        long size = res.blobSize;
        if (mapping.memory().capacity() < size) {
            throw new IllegalArgumentException("the backend mapped " + mapping.memory().capacity() + " bytes of a "
                    + size + "-byte blob");
        }
        if (kinds.contains(MappingSource.Kind.HOST_MEMORY) && mapping.address() != 0) {
            return new MappingSource.HostMemory(mapping.address(), mapping.memory().slice(0, (int) size));
        }
        if (kinds.contains(MappingSource.Kind.FILE_RANGE) && mapping.handle() != null) {
            return new MappingSource.FileRange(mapping.handle().fd(), 0, size);
        }
        throw new IllegalArgumentException("the region maps " + kinds + " and the backend's mapping has "
                + (mapping.handle() == null ? "no file descriptor" : "a file descriptor")
                + (mapping.address() == 0 ? " and no native address" : ""));
    }

    private static SharedMemoryRegion.Cache cache(int mapInfo) {
        return switch (mapInfo & Blobs.MAP_CACHE_MASK) {
            case Blobs.MAP_CACHE_CACHED -> SharedMemoryRegion.Cache.CACHED;
            case Blobs.MAP_CACHE_WC -> SharedMemoryRegion.Cache.WRITE_COMBINE;
            default -> SharedMemoryRegion.Cache.UNCACHED;
        };
    }

    Reply unmapBlob(ResourceUnmapBlob r) {
        Reply bad = checks.requireBlob(r.hdr());
        if (bad != null) {
            return bad;
        }
        Resource res = resources.get(r.resourceId());
        if (res == null) {
            return checks.unknownResource(r.hdr(), r.resourceId());
        }
        if (!region.isMapped(res.id)) {
            return checks.refuse(r.hdr(), "not mapped", res + " is not mapped", RESP_ERR_INVALID_PARAMETER);
        }
        return unmap(res, "CMD_RESOURCE_UNMAP_BLOB");
    }

    /**
     * Unmaps {@code res} if it is mapped, as unref, reset and a backend swap must before the
     * backend lets the memory go: the region first, so the driver never sees freed memory.
     */
    Reply unmapIfMapped(Resource res) {
        return region.isMapped(res.id) ? unmap(res, "unmap before release") : Reply.OK;
    }

    private Reply unmap(Resource res, String what) {
        Reply answer = Reply.OK;
        try {
            region.unmap(res.id);
        } catch (SharedMemoryException | IllegalArgumentException e) {
            log.host(what + ": the host-visible region", res + ": " + e.getMessage(), e);
            answer = Reply.error(RESP_ERR_UNSPEC);
        }
        Reply failed = backend.call(what, b -> b.unmapBlob(res.id));
        return failed != null ? failed : answer;
    }
}
