package dev.neep.gpu.device.internal;

import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_PARAMETER;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_UNSPEC;

import dev.neep.gpu.api.CreateBlobArgs;
import dev.neep.gpu.protocol.Blobs;
import dev.neep.gpu.protocol.ResourceCreateBlob;
import dev.neep.gpu.protocol.ResourceMapBlob;
import dev.neep.gpu.protocol.ResourceUnmapBlob;
import dev.neep.virtio.ChainReader;

/**
 * Blob resources (feature RESOURCE_BLOB): RESOURCE_CREATE_BLOB, RESOURCE_MAP_BLOB and
 * RESOURCE_UNMAP_BLOB. Mapping needs a host-visible shared memory region, which no transport
 * offers yet, so MAP_BLOB is checked and then refused.
 */
final class BlobCommands {
    private static final int KNOWN_FLAGS = Blobs.BLOB_FLAG_USE_MAPPABLE | Blobs.BLOB_FLAG_USE_SHAREABLE
            | Blobs.BLOB_FLAG_USE_CROSS_DEVICE;

    private final ResourceTable resources;
    private final ContextTable contexts;
    private final BackendSlot backend;
    private final Checks checks;

    BlobCommands(ResourceTable resources, ContextTable contexts, BackendSlot backend, Checks checks) {
        this.resources = resources;
        this.contexts = contexts;
        this.backend = backend;
        this.checks = checks;
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

    Reply mapBlob(ResourceMapBlob r) {
        Reply bad = checks.requireBlob(r.hdr());
        if (bad != null) {
            return bad;
        }
        Resource res = resources.get(r.resourceId());
        if (res == null) {
            return checks.unknownResource(r.hdr(), r.resourceId());
        }
        if (!res.isBlob() || (res.blobFlags & Blobs.BLOB_FLAG_USE_MAPPABLE) == 0) {
            return checks.refuse(r.hdr(), "not mappable", res + " is not a blob created with BLOB_FLAG_USE_MAPPABLE",
                    RESP_ERR_INVALID_PARAMETER);
        }
        // Mapping needs a host-visible shared memory region, which no transport offers yet; a
        // driver only maps when it found one, so asking is a guest mistake.
        return checks.refuse(r.hdr(), "no host-visible region", "the transport offers no host-visible shared memory"
                + " region to map " + res + " into", RESP_ERR_UNSPEC);
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
        return checks.refuse(r.hdr(), "not mapped", res + " is not mapped", RESP_ERR_INVALID_PARAMETER);
    }
}
