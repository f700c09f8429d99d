package dev.neep.backend.virgl.internal;

import static dev.neep.backend.virgl.internal.VirglBackend.failure;
import static dev.neep.backend.virgl.internal.VirglRenderer.PIPE_BUFFER;
import static dev.neep.backend.virgl.internal.VirglRenderer.PIPE_TEXTURE_2D;
import static dev.neep.backend.virgl.internal.VirglRenderer.PIPE_TEXTURE_RECT;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_PARAMETER;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_RESOURCE_ID;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_UNSPEC;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import dev.neep.backend.support.Iovecs;
import dev.neep.backend.support.ReadBack;
import dev.neep.backend.virgl.internal.VirglRenderer.virgl_box;
import dev.neep.backend.virgl.internal.VirglRenderer.virgl_renderer_resource_create_args;
import dev.neep.backend.virgl.internal.VirglRenderer.virgl_renderer_resource_create_blob_args;
import dev.neep.gpu.api.BlobMapping;
import dev.neep.gpu.api.CreateBlobArgs;
import dev.neep.gpu.api.Frame;
import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.api.HeldFrame;
import dev.neep.gpu.api.Transfer;
import dev.neep.gpu.protocol.Blobs;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The virgl backend's resource table: each resource's geometry, the bounced guest memory the
 * library holds pointers into while it is attached, and the pixel transfers through it,
 * whole-resource frames included. Kept apart from {@link VirglBackend} because this is the
 * only part that owns native memory a guest command can free, so the order "detach in the
 * library, then free" lives in one place.
 *
 * <p>Confined to the backend's owner thread, which also makes every library call here: the
 * backend wraps each method in its {@code OwnerThread} call, so nothing here locks.
 */
final class VirglResources {

    private static final int BYTES_PER_PIXEL = 4;

    private final VirglRenderer lib;
    private final Map<Integer, Resource> resources = new HashMap<>();
    private final Memory frameIovec = new Memory(Iovecs.SIZE);

    VirglResources(VirglRenderer lib) {
        this.lib = lib;
    }

    /** {@code refusal} is the answer when the library says no: whose mistake that is depends on the caller. */
    void create(virgl_renderer_resource_create_args args, int refusal) throws GpuBackendException {
        if (resources.containsKey(args.handle)) {
            throw new GpuBackendException(RESP_ERR_INVALID_RESOURCE_ID, "resource " + args.handle + " exists");
        }
        int rc = lib.virgl_renderer_resource_create(args, null, 0);
        if (rc != 0) {
            throw failure("virgl_renderer_resource_create(" + args.handle + ", target " + args.target + ", format "
                    + args.format + ", " + args.width + "x" + args.height + "x" + args.depth + ")", rc, refusal);
        }
        resources.put(args.handle, new Resource(args.handle, args.target, args.format, args.width, args.height));
    }

    /**
     * A blob resource: host memory named by {@code blob_id} that the context's command stream
     * made (a buffer created with MAP_PERSISTENT | MAP_COHERENT can be mapped; without them the
     * library refuses to map it), with guest pages for HOST3D_GUEST and GUEST blobs.
     */
    void createBlob(int ctxId, int resourceId, CreateBlobArgs create, List<ByteBuffer> iovecs)
            throws GpuBackendException {
        if (resources.containsKey(resourceId)) {
            throw new GpuBackendException(RESP_ERR_INVALID_RESOURCE_ID, "resource " + resourceId + " exists");
        }
        Iovecs backing = iovecs.isEmpty() ? null : Iovecs.bounced(iovecs);
        virgl_renderer_resource_create_blob_args args = new virgl_renderer_resource_create_blob_args();
        args.res_handle = resourceId;
        args.ctx_id = ctxId;
        args.blob_mem = create.blobMem();
        args.blob_flags = create.blobFlags();
        args.blob_id = create.blobId();
        args.size = create.size();
        args.iovecs = backing == null ? null : backing.array();
        args.num_iovs = backing == null ? 0 : backing.count();
        int rc = lib.virgl_renderer_resource_create_blob(args);
        if (rc != 0) {
            if (backing != null) {
                backing.free();
            }
            throw failure("virgl_renderer_resource_create_blob(" + resourceId + ", ctx " + ctxId + ", blob_mem "
                    + create.blobMem() + ", blob_id " + create.blobId() + ", " + create.size() + " bytes)", rc,
                    RESP_ERR_INVALID_PARAMETER);
        }
        Resource resource = new Resource(resourceId, PIPE_BUFFER, 0, 0, 0);
        resource.backing = backing;
        resource.blobSize = create.size();
        resources.put(resourceId, resource);
    }

    /** {@code get_map_info} first, then the mapping, as QEMU; only the cache bits go to the guest. */
    BlobMapping map(int resourceId) throws GpuBackendException {
        Resource resource = require(resourceId);
        if (resource.blobSize == 0) {
            throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "resource " + resourceId + " is not a blob");
        }
        if (resource.mapping != null) {
            throw new GpuBackendException(RESP_ERR_UNSPEC, "blob " + resourceId + " is already mapped");
        }
        IntByReference mapInfo = new IntByReference();
        int rc = lib.virgl_renderer_resource_get_map_info(resourceId, mapInfo);
        if (rc != 0) {
            throw failure("virgl_renderer_resource_get_map_info(" + resourceId + ")", rc, RESP_ERR_UNSPEC);
        }
        PointerByReference address = new PointerByReference();
        LongByReference size = new LongByReference();
        rc = lib.virgl_renderer_resource_map(resourceId, address, size);
        if (rc != 0) {
            throw failure("virgl_renderer_resource_map(" + resourceId + ")", rc, RESP_ERR_UNSPEC);
        }
        Pointer p = address.getValue();
        if (p == null || size.getValue() < resource.blobSize || resource.blobSize > Integer.MAX_VALUE) {
            lib.virgl_renderer_resource_unmap(resourceId);
            throw new GpuBackendException(RESP_ERR_UNSPEC, "blob " + resourceId + " of " + resource.blobSize
                    + " bytes mapped " + size.getValue() + " bytes at " + p + "; one mapping can be at most 2 GiB");
        }
        resource.mapping = p;
        // The renderer's heap: no file descriptor to export (virgl_renderer_resource_export_blob has none on llvmpipe).
        return new BlobMapping(p.getByteBuffer(0, resource.blobSize), Pointer.nativeValue(p),
                mapInfo.getValue() & Blobs.MAP_CACHE_MASK, null);
    }

    void unmap(int resourceId) throws GpuBackendException {
        Resource resource = require(resourceId);
        if (resource.mapping == null) {
            throw new GpuBackendException(RESP_ERR_UNSPEC, "resource " + resourceId + " is not mapped");
        }
        resource.mapping = null;
        int rc = lib.virgl_renderer_resource_unmap(resourceId);
        if (rc != 0) {
            throw failure("virgl_renderer_resource_unmap(" + resourceId + ")", rc, RESP_ERR_UNSPEC);
        }
    }

    void unref(int resourceId) throws GpuBackendException {
        Resource resource = require(resourceId);
        if (resource.mapping != null) {
            resource.mapping = null;
            lib.virgl_renderer_resource_unmap(resourceId);
        }
        // Detach first, as QEMU does, so the library holds no pointer into memory freed below.
        if (resource.backing != null) {
            lib.virgl_renderer_resource_detach_iov(resourceId, new PointerByReference(), new IntByReference());
        }
        lib.virgl_renderer_resource_unref(resourceId);
        resources.remove(resourceId);
        if (resource.backing != null) {
            resource.backing.free();
        }
    }

    void attachBacking(int resourceId, List<ByteBuffer> iovecs) throws GpuBackendException {
        Resource resource = require(resourceId);
        if (resource.backing != null) {
            throw new GpuBackendException(RESP_ERR_UNSPEC, "resource " + resourceId + " already has backing");
        }
        Iovecs backing = Iovecs.bounced(iovecs);
        int rc = lib.virgl_renderer_resource_attach_iov(resourceId, backing.array(), backing.count());
        if (rc != 0) {
            backing.free();
            throw failure("virgl_renderer_resource_attach_iov(" + resourceId + ")", rc, RESP_ERR_UNSPEC);
        }
        resource.backing = backing;
    }

    void detachBacking(int resourceId) throws GpuBackendException {
        Resource resource = require(resourceId);
        Iovecs backing = backing(resource);
        lib.virgl_renderer_resource_detach_iov(resourceId, new PointerByReference(), new IntByReference());
        backing.free();
        resource.backing = null;
    }

    void transferWrite(int ctxId, int resourceId, Transfer transfer) throws GpuBackendException {
        Iovecs backing = backing(require(resourceId));
        backing.toHost();
        // NULL iovecs: the library uses the resource's attached backing.
        int rc = lib.virgl_renderer_transfer_write_iov(resourceId, ctxId, transfer.level(), transfer.stride(),
                transfer.layerStride(), box(transfer), transfer.offset(), null, 0);
        if (rc != 0) {
            throw failure("virgl_renderer_transfer_write_iov(" + resourceId + ", ctx " + ctxId + ", " + transfer + ")",
                    rc, RESP_ERR_INVALID_PARAMETER);
        }
    }

    void transferRead(int ctxId, int resourceId, Transfer transfer) throws GpuBackendException {
        Iovecs backing = backing(require(resourceId));
        int rc = lib.virgl_renderer_transfer_read_iov(resourceId, ctxId, transfer.level(), transfer.stride(),
                transfer.layerStride(), box(transfer), transfer.offset(), null, 0);
        if (rc != 0) {
            throw failure("virgl_renderer_transfer_read_iov(" + resourceId + ", ctx " + ctxId + ", " + transfer + ")",
                    rc, RESP_ERR_INVALID_PARAMETER);
        }
        backing.fromHost();
    }

    /**
     * Reads the resource back with {@code virgl_renderer_transfer_read_iov}, rows top first,
     * {@code width * 4} bytes apart, into memory no held picture uses ({@link ReadBack}); valid
     * until the next read-back of it.
     */
    Frame frame(int resourceId) throws GpuBackendException {
        return readBack(resourceId).frame();
    }

    /** As {@link #frame}, held: later read-backs of the resource go elsewhere while a hold lasts. */
    HeldFrame hold(int resourceId) throws GpuBackendException {
        return readBack(resourceId).hold();
    }

    private ReadBack readBack(int resourceId) throws GpuBackendException {
        Resource resource = require(resourceId);
        if (resource.target != PIPE_TEXTURE_2D && resource.target != PIPE_TEXTURE_RECT) {
            throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "resource " + resourceId + " has target "
                    + resource.target + ", not a 2D texture that can be shown");
        }
        if (resource.display == null) {
            resource.display = ReadBack.of(resourceId, resource.format, resource.width, resource.height);
        }
        Memory target = resource.display.target();
        Iovecs.put(frameIovec, 0, Pointer.nativeValue(target), resource.display.size());
        int rc = lib.virgl_renderer_transfer_read_iov(resourceId, 0, 0, resource.display.stride(), 0,
                new virgl_box(0, 0, 0, resource.width, resource.height, 1), 0, frameIovec, 1);
        if (rc != 0) {
            throw failure("virgl_renderer_transfer_read_iov(" + resourceId + ") for a frame", rc, RESP_ERR_UNSPEC);
        }
        return resource.display;
    }

    /** Fails with INVALID_RESOURCE_ID unless the guest created {@code resourceId} and has not unreferenced it. */
    void check(int resourceId) throws GpuBackendException {
        require(resourceId);
    }

    /**
     * Frees all native memory without telling the library: only after
     * {@code virgl_renderer_cleanup}, which has dropped every pointer into it.
     */
    void freeAfterCleanup() {
        for (Resource resource : resources.values()) {
            if (resource.backing != null) {
                resource.backing.free();
            }
        }
        resources.clear();
        frameIovec.close();
    }

    private Resource require(int resourceId) throws GpuBackendException {
        Resource resource = resources.get(resourceId);
        if (resource == null) {
            throw new GpuBackendException(RESP_ERR_INVALID_RESOURCE_ID, "no resource " + resourceId);
        }
        return resource;
    }

    private static Iovecs backing(Resource resource) throws GpuBackendException {
        if (resource.backing == null) {
            throw new GpuBackendException(RESP_ERR_UNSPEC, "resource " + resource.id + " has no backing");
        }
        return resource.backing;
    }

    private static virgl_box box(Transfer t) {
        return new virgl_box(t.x(), t.y(), t.z(), t.width(), t.height(), t.depth());
    }

    private static final class Resource {
        final int id;
        final int target;
        final int format;
        final int width;
        final int height;
        Iovecs backing;
        /** A blob's size; 0 for a resource that is not one. */
        long blobSize;
        /** Where a mapped blob is, null while it is not. */
        Pointer mapping;
        /** Where {@link #frame} reads the texture back, made at the first. */
        ReadBack display;

        Resource(int id, int target, int format, int width, int height) {
            this.id = id;
            this.target = target;
            this.format = format;
            this.width = width;
            this.height = height;
        }
    }
}
