package dev.neep.backend.rutabaga.internal;

import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_PARAMETER;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_UNSPEC;

import dev.neep.backend2d.Backend2d;
import dev.neep.gpu.api.BackendCapabilities;
import dev.neep.gpu.api.BlobMapping;
import dev.neep.gpu.api.CapsetInfo;
import dev.neep.gpu.api.Create3dArgs;
import dev.neep.gpu.api.CreateBlobArgs;
import dev.neep.gpu.api.Fence;
import dev.neep.gpu.api.FenceListener;
import dev.neep.gpu.api.Frame;
import dev.neep.gpu.api.GpuBackend;
import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.api.HeldFrame;
import dev.neep.gpu.api.Transfer;
import dev.neep.gpu.protocol.CapsetIds;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The backend when cross-domain is the only capset: rutabaga's contexts, blobs and fences beside
 * neep's own 2D resources ({@link Backend2d}).
 *
 * <p>Why: with cross-domain alone, librutabaga_gfx_ffi 0.1.2 makes cross-domain its default
 * component, and that component creates 2D and 3D resources holding no storage, while its
 * transfers copy nothing and still return success. A guest's console there (RESOURCE_CREATE_2D,
 * TRANSFER_TO_HOST_2D, SET_SCANOUT, RESOURCE_FLUSH) would be answered OK and show nothing. So
 * 2D resources live here in the pure-Java backend, and whatever would reach the library's empty
 * paths (3D resources, transfers to its resources) is refused instead of answered OK.
 *
 * <p>Resource ids are one namespace: the device never hands out an id twice, so each id is owned
 * by exactly one of the two, and {@link #twoD} says which. Every fence goes to rutabaga: the 2D
 * side finishes its work inside each call, so nothing is pending there when a fence comes.
 *
 * <p>Called only from the device's command thread (the {@link GpuBackend} contract), as
 * {@link Backend2d} needs.
 */
final class CrossDomainWith2d implements GpuBackend {

    /** The capset mask this class is for: cross-domain and nothing else. */
    static final Set<String> CAPSETS = Set.of(CapsetIds.name(CapsetIds.CROSS_DOMAIN));

    private final GpuBackend rutabaga;
    private final Backend2d twoDBackend;
    /** Ids of the resources {@link #twoDBackend} owns. */
    private final Set<Integer> twoD = new HashSet<>();

    CrossDomainWith2d(GpuBackend rutabaga, FenceListener fences) {
        this.rutabaga = rutabaga;
        this.twoDBackend = Backend2d.open(fences);
    }

    /** {@code backend} as is, or wrapped when {@code settings} ask for cross-domain alone. */
    static GpuBackend around(GpuBackend backend, RutabagaSettings settings, FenceListener fences) {
        return settings.capsetNames().keySet().equals(CAPSETS) ? new CrossDomainWith2d(backend, fences) : backend;
    }

    @Override
    public BackendCapabilities capabilities() {
        return rutabaga.capabilities();
    }

    @Override
    public boolean headless() {
        return rutabaga.headless();
    }

    @Override
    public List<CapsetInfo> capsets() {
        return rutabaga.capsets();
    }

    @Override
    public byte[] capset(int capsetId, int version) throws GpuBackendException {
        return rutabaga.capset(capsetId, version);
    }

    @Override
    public void resourceCreate2d(int resourceId, int format, int width, int height) throws GpuBackendException {
        twoDBackend.resourceCreate2d(resourceId, format, width, height);
        twoD.add(resourceId);
    }

    /** Cross-domain's 3D resources would hold nothing; a guest with cross-domain alone has no 3D driver. */
    @Override
    public void resourceCreate3d(int resourceId, Create3dArgs create) throws GpuBackendException {
        throw new GpuBackendException(RESP_ERR_UNSPEC, "RESOURCE_CREATE_3D of resource " + resourceId
                + ": cross-domain, the only capset, has no 3D resources (rutabaga would create one with no storage)");
    }

    @Override
    public void resourceCreateBlob(int ctxId, int resourceId, CreateBlobArgs create, List<ByteBuffer> iovecs)
            throws GpuBackendException {
        rutabaga.resourceCreateBlob(ctxId, resourceId, create, iovecs);
    }

    @Override
    public void resourceUnref(int resourceId) throws GpuBackendException {
        if (twoD.contains(resourceId)) {
            twoDBackend.resourceUnref(resourceId);
            twoD.remove(resourceId);
        } else {
            rutabaga.resourceUnref(resourceId);
        }
    }

    @Override
    public void attachBacking(int resourceId, List<ByteBuffer> iovecs) throws GpuBackendException {
        owner(resourceId).attachBacking(resourceId, iovecs);
    }

    @Override
    public void detachBacking(int resourceId) throws GpuBackendException {
        owner(resourceId).detachBacking(resourceId);
    }

    /** 2D resources take it; rutabaga's cross-domain component would copy nothing and say OK. */
    @Override
    public void transferWrite(int ctxId, int resourceId, Transfer transfer) throws GpuBackendException {
        twoDOnly("transfer to host", resourceId).transferWrite(ctxId, resourceId, transfer);
    }

    @Override
    public void transferRead(int ctxId, int resourceId, Transfer transfer) throws GpuBackendException {
        twoDOnly("TRANSFER_FROM_HOST_3D", resourceId).transferRead(ctxId, resourceId, transfer);
    }

    @Override
    public void contextCreate(int ctxId, int contextInit, String debugName) throws GpuBackendException {
        rutabaga.contextCreate(ctxId, contextInit, debugName);
    }

    @Override
    public void contextDestroy(int ctxId) throws GpuBackendException {
        rutabaga.contextDestroy(ctxId);
    }

    /**
     * A 2D resource is accepted without reaching rutabaga: Linux attaches every buffer a process
     * opens to its context, and rutabaga's cross-domain context keeps nothing of a resource that
     * has neither guest blob backing nor a host handle, so this is what the library would do.
     */
    @Override
    public void contextAttachResource(int ctxId, int resourceId) throws GpuBackendException {
        if (!twoD.contains(resourceId)) {
            rutabaga.contextAttachResource(ctxId, resourceId);
        }
    }

    @Override
    public void contextDetachResource(int ctxId, int resourceId) throws GpuBackendException {
        if (!twoD.contains(resourceId)) {
            rutabaga.contextDetachResource(ctxId, resourceId);
        }
    }

    @Override
    public void submitCommand(int ctxId, ByteBuffer commands, long[] inFenceIds) throws GpuBackendException {
        rutabaga.submitCommand(ctxId, commands, inFenceIds);
    }

    @Override
    public void createFence(Fence fence) throws GpuBackendException {
        rutabaga.createFence(fence);
    }

    @Override
    public BlobMapping mapBlob(int resourceId) throws GpuBackendException {
        return rutabaga.mapBlob(resourceId);
    }

    @Override
    public void unmapBlob(int resourceId) throws GpuBackendException {
        rutabaga.unmapBlob(resourceId);
    }

    @Override
    public Frame frame(int resourceId) throws GpuBackendException {
        return owner(resourceId).frame(resourceId);
    }

    @Override
    public HeldFrame hold(int resourceId) throws GpuBackendException {
        return owner(resourceId).hold(resourceId);
    }

    @Override
    public Frame blobFrame(int resourceId, int format, int width, int height, int stride, long offset)
            throws GpuBackendException {
        return owner(resourceId).blobFrame(resourceId, format, width, height, stride, offset);
    }

    @Override
    public void poll() {
        rutabaga.poll();
    }

    @Override
    public void close() {
        try {
            twoDBackend.close();
        } finally {
            twoD.clear();
            rutabaga.close();
        }
    }

    private GpuBackend owner(int resourceId) {
        return twoD.contains(resourceId) ? twoDBackend : rutabaga;
    }

    private GpuBackend twoDOnly(String what, int resourceId) throws GpuBackendException {
        if (twoD.contains(resourceId)) {
            return twoDBackend;
        }
        throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, what + " of resource " + resourceId + ": with cross-domain the only capset, rutabaga copies nothing"
                        + " in a transfer (its cross-domain resources are blobs, filled through mappings), so it is"
                        + " refused rather than answered OK");
    }
}
