package dev.neep.backend2d;

import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_PARAMETER;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_RESOURCE_ID;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_OUT_OF_MEMORY;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_UNSPEC;

import dev.neep.backend2d.internal.Backend2dProvider;
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
import dev.neep.gpu.api.GpuBackendProvider;
import dev.neep.gpu.api.HeldFrame;
import dev.neep.gpu.api.Transfer;
import dev.neep.gpu.protocol.Blobs;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.Rect;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pure-Java 2D backend, what QEMU's plain {@code virtio-gpu} device does without virgl:
 * 2D resources kept as host copies in their own format (the sinks convert), filled from guest
 * backing by TRANSFER_TO_HOST_2D, and guest-memory blobs shown straight from their iovecs.
 * There are no capsets and no contexts: every 3D call answers RESP_ERR_UNSPEC, as QEMU's 2D
 * device answers a 3D command it does not know.
 *
 * <p>Host storage of a 2D resource is {@code width * height * 4} bytes, stride
 * {@code width * 4}, off the Java heap ({@link PixelPool}). A picture the display holds
 * ({@link #hold}) stays as it was: a transfer meanwhile moves the resource to other memory
 * (see {@link Surface}), so the held pictures of a sink that lags cost memory, a few frames at
 * most, never a wait. All work is done by the time a call returns, so a fence signals inside
 * {@link #createFence}.
 *
 * <p>Not thread-safe: the device makes every call from its command thread; only the holds of
 * a {@link HeldFrame} are taken and given back on other threads.
 */
public final class Backend2d implements GpuBackend {

    /** This backend's kind, the value of its provider's {@code neep.backend} service property. */
    public static final String KIND = "2d";

    private static final Logger LOG = LoggerFactory.getLogger(Backend2d.class);
    private static final BackendCapabilities CAPABILITIES = new BackendCapabilities(false, true, false, false);

    private final FenceListener fences;
    /** Bytes of freed resources kept for reuse: enough for a few full-HD frames. */
    static final long IDLE_PIXEL_BYTES = 32L << 20;

    private final Map<Integer, Resource> resources = new HashMap<>();
    private final PixelPool pixelPool = new PixelPool(IDLE_PIXEL_BYTES);
    private boolean closed;

    private Backend2d(FenceListener fences) {
        this.fences = fences;
    }

    /**
     * The provider of this backend, for an embedder that hands one to
     * {@code dev.neep.gpu.device.VirtioGpu} itself; in a framework the same provider is the
     * {@code GpuBackendProvider} service with {@code neep.backend=2d}.
     */
    public static GpuBackendProvider provider() {
        return new Backend2dProvider();
    }

    /** Opens an instance. The 2D backend has no settings: no capsets, and pixels for every sink. */
    public static Backend2d open(FenceListener fences) {
        Objects.requireNonNull(fences, "fences");
        LOG.debug("2D backend opened");
        return new Backend2d(fences);
    }

    @Override
    public BackendCapabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public List<CapsetInfo> capsets() {
        return List.of();
    }

    @Override
    public byte[] capset(int capsetId, int version) throws GpuBackendException {
        throw unsupported("GET_CAPSET");
    }

    @Override
    public void resourceCreate2d(int resourceId, int format, int width, int height) throws GpuBackendException {
        ensureOpen();
        if (resources.containsKey(resourceId)) {
            throw new GpuBackendException(RESP_ERR_INVALID_RESOURCE_ID, "resource " + id(resourceId) + " already exists");
        }
        if (!Formats.isSupported2d(format)) {
            throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "format " + Formats.name(format)
                    + " is not a 2D format");
        }
        if (width <= 0 || height <= 0) {
            throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "resource " + id(resourceId) + " size "
                    + Integer.toUnsignedString(width) + "x" + Integer.toUnsignedString(height) + " is empty or too large");
        }
        int bpp = Formats.bytesPerPixel(format);
        long pixelCount = (long) width * height;
        long bytes = pixelCount * bpp;
        if (pixelCount > Integer.MAX_VALUE / bpp) {
            throw new GpuBackendException(RESP_ERR_OUT_OF_MEMORY, "resource " + id(resourceId) + " of " + width + "x"
                    + height + " needs " + bytes + " bytes, more than one host buffer holds");
        }
        Surface pixels;
        try {
            pixels = new Surface(format, width, height, width * bpp, pixelPool);
        } catch (OutOfMemoryError e) {
            throw new GpuBackendException(RESP_ERR_OUT_OF_MEMORY, "no host memory for the " + bytes
                    + " bytes of resource " + id(resourceId) + " (the JVM's direct memory: -XX:MaxDirectMemorySize)", e);
        }
        resources.put(resourceId, Resource.twoD(format, width, height, width * bpp, pixels));
    }

    @Override
    public void resourceCreate3d(int resourceId, Create3dArgs create) throws GpuBackendException {
        throw unsupported("RESOURCE_CREATE_3D");
    }

    @Override
    public void resourceCreateBlob(int ctxId, int resourceId, CreateBlobArgs create, List<ByteBuffer> iovecs)
            throws GpuBackendException {
        ensureOpen();
        if (create.blobMem() != Blobs.BLOB_MEM_GUEST) {
            throw new GpuBackendException(RESP_ERR_UNSPEC, "blob_mem " + create.blobMem()
                    + " is not supported by the 2D backend, which has guest blobs (blob_mem 1) only");
        }
        if (resources.containsKey(resourceId)) {
            throw new GpuBackendException(RESP_ERR_INVALID_RESOURCE_ID, "resource " + id(resourceId) + " already exists");
        }
        Backing backing = Backing.of(iovecs);
        if (create.size() <= 0 || create.size() > backing.size()) {
            throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "blob resource " + id(resourceId) + " of size "
                    + Long.toUnsignedString(create.size()) + " does not fit its " + backing.size() + " bytes of backing");
        }
        resources.put(resourceId, Resource.guestBlob(create.size(), backing));
    }

    @Override
    public void resourceUnref(int resourceId) throws GpuBackendException {
        ensureOpen();
        Resource gone = resources.remove(resourceId);
        if (gone == null) {
            throw noSuchResource(resourceId);
        }
        if (!gone.isBlob()) {
            gone.pixels.free();
        }
    }

    @Override
    public void attachBacking(int resourceId, List<ByteBuffer> iovecs) throws GpuBackendException {
        Resource r = find(resourceId);
        if (r.backing != null) {
            // QEMU answers a second attach with UNSPEC and keeps the first backing.
            throw new GpuBackendException(RESP_ERR_UNSPEC, "resource " + id(resourceId) + " already has backing");
        }
        r.backing = Backing.of(iovecs);
    }

    @Override
    public void detachBacking(int resourceId) throws GpuBackendException {
        Resource r = find(resourceId);
        if (r.backing == null) {
            throw new GpuBackendException(RESP_ERR_INVALID_RESOURCE_ID, "resource " + id(resourceId)
                    + " has no backing to detach");
        }
        r.backing = null;
        r.gathered = null;
    }

    /**
     * TRANSFER_TO_HOST_2D: row {@code h} of the box is read from byte {@code offset + h * stride}
     * of the backing and lands at row {@code y + h}, column {@code x} of the resource. The guest
     * stride is the resource's own ({@code width * 4}) unless the transfer names one. A box as
     * wide as the resource is one contiguous range on both sides and is copied at once.
     */
    @Override
    public void transferWrite(int ctxId, int resourceId, Transfer t) throws GpuBackendException {
        ensureOpen();
        if (ctxId != 0) {
            throw unsupported("TRANSFER_TO_HOST_3D");
        }
        Resource r = find(resourceId);
        if (r.isBlob()) {
            // A guest blob's storage is the guest memory itself; QEMU answers OK and copies nothing.
            return;
        }
        if (r.backing == null) {
            throw new GpuBackendException(RESP_ERR_UNSPEC, "resource " + id(resourceId) + " has no backing attached");
        }
        if (t.z() != 0 || t.depth() != 1 || t.level() != 0) {
            throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "transfer to 2D resource " + id(resourceId)
                    + " has z " + t.z() + ", depth " + t.depth() + ", level " + t.level() + " (expected 0, 1, 0)");
        }
        // The device checked the box and the backing before calling; the same formulas guard an embedder's calls.
        Rect box = t.rect();
        if (!box.within(r.width, r.height)) {
            throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "transfer box " + box
                    + " lies outside resource " + id(resourceId) + " of " + r.width + "x" + r.height);
        }
        long x = Integer.toUnsignedLong(t.x());
        long y = Integer.toUnsignedLong(t.y());
        long w = Integer.toUnsignedLong(t.width());
        long h = Integer.toUnsignedLong(t.height());
        if (w == 0 || h == 0) {
            return;
        }
        int bpp = Formats.bytesPerPixel(r.format);
        long rowBytes = w * bpp;
        long srcStride = t.stride() == 0 ? r.stride : Integer.toUnsignedLong(t.stride());
        if (srcStride < rowBytes) {
            throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "transfer stride " + srcStride
                    + " is shorter than a row of " + rowBytes + " bytes");
        }
        long offset = t.offset();
        long end = box.end(offset, srcStride, bpp);
        if (end < 0 || end > r.backing.size()) {
            throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "transfer reads backing bytes from "
                    + Long.toUnsignedString(offset) + " to " + (end < 0 ? "beyond 2^63" : Long.toString(end))
                    + ", but resource " + id(resourceId) + " has " + r.backing.size() + " bytes of backing");
        }
        int dst = (int) (y * r.stride + x * bpp);
        ByteBuffer pixels;
        try {
            pixels = r.pixels.writable((int) x, (int) y, (int) w, (int) h, bpp);
        } catch (OutOfMemoryError e) {
            throw new GpuBackendException(RESP_ERR_OUT_OF_MEMORY, "no host memory for a copy of resource "
                    + id(resourceId) + " while the display holds its last picture", e);
        }
        if (w == r.width && srcStride == r.stride) {
            r.backing.copyTo(offset, pixels, dst, (int) (h * r.stride));
            return;
        }
        for (int row = 0; row < h; row++) {
            r.backing.copyTo(offset + row * srcStride, pixels, dst + row * r.stride, (int) rowBytes);
        }
    }

    @Override
    public void transferRead(int ctxId, int resourceId, Transfer transfer) throws GpuBackendException {
        throw unsupported("TRANSFER_FROM_HOST_3D");
    }

    @Override
    public void contextCreate(int ctxId, int contextInit, String debugName) throws GpuBackendException {
        throw unsupported("CTX_CREATE");
    }

    @Override
    public void contextDestroy(int ctxId) throws GpuBackendException {
        throw unsupported("CTX_DESTROY");
    }

    @Override
    public void contextAttachResource(int ctxId, int resourceId) throws GpuBackendException {
        throw unsupported("CTX_ATTACH_RESOURCE");
    }

    @Override
    public void contextDetachResource(int ctxId, int resourceId) throws GpuBackendException {
        throw unsupported("CTX_DETACH_RESOURCE");
    }

    @Override
    public void submitCommand(int ctxId, ByteBuffer commands, long[] inFenceIds) throws GpuBackendException {
        throw unsupported("SUBMIT_3D");
    }

    /** 2D work is finished when its call returns, so every fence is already due. */
    @Override
    public void createFence(Fence fence) throws GpuBackendException {
        ensureOpen();
        try {
            fences.fenceSignalled(fence);
        } catch (RuntimeException e) {
            throw new GpuBackendException(RESP_ERR_UNSPEC, "fence listener failed on fence " + fence, e);
        }
    }

    @Override
    public BlobMapping mapBlob(int resourceId) throws GpuBackendException {
        throw unsupported("RESOURCE_MAP_BLOB");
    }

    @Override
    public void unmapBlob(int resourceId) throws GpuBackendException {
        throw unsupported("RESOURCE_UNMAP_BLOB");
    }

    /**
     * A read-only view of a 2D resource's host pixels; blobs have no geometry of their own. Valid
     * until a write to the resource finds its pixels held ({@link #hold}) or the resource is
     * unreferenced.
     */
    @Override
    public Frame frame(int resourceId) throws GpuBackendException {
        return twoD(resourceId).pixels.frame();
    }

    /** The 2D resource's pixels, held: later transfers while it is held write other memory. */
    @Override
    public HeldFrame hold(int resourceId) throws GpuBackendException {
        return twoD(resourceId).pixels.hold();
    }

    private Resource twoD(int resourceId) throws GpuBackendException {
        Resource r = find(resourceId);
        if (r.isBlob()) {
            throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "resource " + id(resourceId)
                    + " is a blob; it is shown through SET_SCANOUT_BLOB");
        }
        return r;
    }

    /**
     * A guest blob's pixels as SET_SCANOUT_BLOB lays them out: a view of guest memory when the
     * rows lie in one iovec, else the rows gathered into a host buffer kept for the resource.
     */
    @Override
    public Frame blobFrame(int resourceId, int format, int width, int height, int stride, long offset)
            throws GpuBackendException {
        Resource r = find(resourceId);
        if (!r.isBlob()) {
            throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "resource " + id(resourceId) + " is not a blob");
        }
        if (r.backing == null) {
            throw new GpuBackendException(RESP_ERR_UNSPEC, "blob resource " + id(resourceId) + " has no backing");
        }
        if (!Formats.isSupported2d(format)) {
            throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "scanout format " + Formats.name(format)
                    + " is not a 2D format");
        }
        if (width <= 0 || height <= 0) {
            throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "blob scanout size "
                    + Integer.toUnsignedString(width) + "x" + Integer.toUnsignedString(height) + " is empty or too large");
        }
        long rowBytes = (long) width * Formats.bytesPerPixel(format);
        long strideBytes = Integer.toUnsignedLong(stride);
        if (strideBytes < rowBytes) {
            throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "blob scanout stride " + strideBytes
                    + " is shorter than a row of " + rowBytes + " bytes");
        }
        long end = new Rect(0, 0, width, height).end(offset, strideBytes, Formats.bytesPerPixel(format));
        long limit = Math.min(r.blobSize, r.backing.size());
        if (end < 0 || end > limit || end - offset > Integer.MAX_VALUE) {
            throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "blob scanout reads bytes from "
                    + Long.toUnsignedString(offset) + " to " + (end < 0 ? "beyond 2^63" : Long.toString(end))
                    + ", but blob resource " + id(resourceId) + " has " + limit + " bytes");
        }
        int length = (int) (end - offset);
        ByteBuffer view = r.backing.view(offset, length);
        if (view == null) {
            if (r.gathered == null || r.gathered.capacity() < length) {
                try {
                    r.gathered = ByteBuffer.allocate(length);
                } catch (OutOfMemoryError e) {
                    throw new GpuBackendException(RESP_ERR_OUT_OF_MEMORY, "no host memory to gather the " + length
                            + " bytes of blob resource " + id(resourceId), e);
                }
            }
            r.backing.copyTo(offset, r.gathered, 0, length);
            view = r.gathered.asReadOnlyBuffer().limit(length);
        }
        return new Frame(format, width, height, stride, view);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            resources.clear();
            pixelPool.clear();
            LOG.debug("2D backend closed");
        }
    }

    private Resource find(int resourceId) throws GpuBackendException {
        ensureOpen();
        Resource r = resources.get(resourceId);
        if (r == null) {
            throw noSuchResource(resourceId);
        }
        return r;
    }

    private void ensureOpen() throws GpuBackendException {
        if (closed) {
            throw new GpuBackendException(RESP_ERR_UNSPEC, "the 2D backend instance is closed");
        }
    }

    private static GpuBackendException noSuchResource(int resourceId) {
        return new GpuBackendException(RESP_ERR_INVALID_RESOURCE_ID, "no resource " + id(resourceId));
    }

    private static GpuBackendException unsupported(String what) {
        return new GpuBackendException(RESP_ERR_UNSPEC, what + " is not supported by the 2D backend");
    }

    private static String id(int resourceId) {
        return Integer.toUnsignedString(resourceId);
    }

    /** A 2D resource (host pixels) or a guest blob (no host pixels, backing required). */
    private static final class Resource {
        final int format;
        final int width;
        final int height;
        final int stride;
        final Surface pixels;
        final long blobSize;
        Backing backing;
        /** Rows of a scattered blob gathered for {@link #blobFrame}, reused while big enough. */
        ByteBuffer gathered;

        private Resource(int format, int width, int height, int stride, Surface pixels, long blobSize,
                Backing backing) {
            this.format = format;
            this.width = width;
            this.height = height;
            this.stride = stride;
            this.pixels = pixels;
            this.blobSize = blobSize;
            this.backing = backing;
        }

        static Resource twoD(int format, int width, int height, int stride, Surface pixels) {
            return new Resource(format, width, height, stride, pixels, 0, null);
        }

        static Resource guestBlob(long size, Backing backing) {
            return new Resource(0, 0, 0, 0, null, size, backing);
        }

        boolean isBlob() {
            return pixels == null;
        }
    }
}
