package dev.neep.gpu.api;

import java.nio.ByteBuffer;
import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * One rendering backend instance, shaped like the rutabaga_gfx API: capsets, 2D/3D/blob
 * resources, guest backing, transfers, contexts, command submission, fences, blob
 * mapping, and read access to a resource's pixels for display.
 *
 * <h2>What the device guarantees</h2>
 * <ul>
 *   <li>Every call comes from one thread, the device's command thread that called
 *       {@link GpuBackendProvider#open} (native renderers bind their GL context to it).</li>
 *   <li>Ids and geometry are already checked against the device's own state: a resource
 *       id passed here exists (or, on create, does not), rectangles and boxes lie inside
 *       the resource, the format is one the device accepted, capsets exist, sizes are
 *       bounded and accounted against {@code max_hostmem}. A backend still checks what
 *       only it can know, and answers with {@link GpuBackendException}.</li>
 *   <li>Backing buffers ({@code iovecs}) are views of guest memory, valid until
 *       {@link #detachBacking} or {@link #resourceUnref} for that resource returns.</li>
 * </ul>
 *
 * <h2>What a backend guarantees</h2>
 * <ul>
 *   <li>No call throws anything but {@link GpuBackendException}; its response type is the
 *       answer the guest gets.</li>
 *   <li>Every fence given to {@link #createFence} is reported exactly once to the
 *       {@link FenceListener} given at open, from any thread, after all work submitted
 *       before it on its timeline is complete.</li>
 *   <li>{@link #close()} releases everything, whatever state the instance is in.</li>
 * </ul>
 */
@ConsumerType
public interface GpuBackend extends AutoCloseable {

    /** What this instance can do; fixed for its lifetime. */
    BackendCapabilities capabilities();

    /** The capsets offered, in capset-index order (GET_CAPSET_INFO's {@code capset_index}). */
    List<CapsetInfo> capsets();

    /** The capset data of {@code capsetId} at {@code version}, exactly {@code max_size} bytes. */
    byte[] capset(int capsetId, int version) throws GpuBackendException;

    void resourceCreate2d(int resourceId, int format, int width, int height) throws GpuBackendException;

    void resourceCreate3d(int resourceId, Create3dArgs create) throws GpuBackendException;

    /**
     * Creates a blob resource. {@code iovecs} is the guest backing for BLOB_MEM_GUEST
     * (empty for host-only blobs); the backend keeps it as the resource's backing.
     */
    void resourceCreateBlob(int ctxId, int resourceId, CreateBlobArgs create, List<ByteBuffer> iovecs)
            throws GpuBackendException;

    /** Drops the resource and whatever backing is still attached. */
    void resourceUnref(int resourceId) throws GpuBackendException;

    void attachBacking(int resourceId, List<ByteBuffer> iovecs) throws GpuBackendException;

    void detachBacking(int resourceId) throws GpuBackendException;

    /** Guest backing to host resource (TRANSFER_TO_HOST_2D/3D). {@code ctxId} is 0 for 2D. */
    void transferWrite(int ctxId, int resourceId, Transfer transfer) throws GpuBackendException;

    /** Host resource to guest backing (TRANSFER_FROM_HOST_3D). */
    void transferRead(int ctxId, int resourceId, Transfer transfer) throws GpuBackendException;

    /** {@code contextInit} carries the capset id in its low 8 bits (VIRTIO_GPU_F_CONTEXT_INIT). */
    void contextCreate(int ctxId, int contextInit, String debugName) throws GpuBackendException;

    void contextDestroy(int ctxId) throws GpuBackendException;

    void contextAttachResource(int ctxId, int resourceId) throws GpuBackendException;

    void contextDetachResource(int ctxId, int resourceId) throws GpuBackendException;

    /** A SUBMIT_3D command stream; {@code commands} is read from position to limit. */
    void submitCommand(int ctxId, ByteBuffer commands, long[] inFenceIds) throws GpuBackendException;

    /** Asks for {@code fence} to be signalled when the work before it on its timeline is done. */
    void createFence(Fence fence) throws GpuBackendException;

    /** Maps a host-visible blob; the mapping stays valid until {@link #unmapBlob}. */
    BlobMapping mapBlob(int resourceId) throws GpuBackendException;

    void unmapBlob(int resourceId) throws GpuBackendException;

    /**
     * The host pixels of a resource with its own geometry (2D, or a 3D texture read back),
     * for scanout and cursor. Display sinks read the frame on their own threads while the
     * device goes on calling this instance, so its memory must stay readable until the resource
     * is unreferenced or the instance closed (before either, the device makes sure no sink
     * reads it any more). What it shows must be this resource's pixels, changing only during
     * later calls on this instance (the device detects a read torn by one): a read-back buffer
     * is the resource's own, not one shared by all resources.
     */
    Frame frame(int resourceId) throws GpuBackendException;

    /**
     * The resource's pixels as they are now, held unchanged until every hold on the returned
     * object is given back ({@link HeldFrame}): a write to the resource meanwhile goes to other
     * memory. The device holds each flushed picture so that its sinks read it whole, however late,
     * while the guest's next transfer goes on. {@code null} when this backend cannot hold pixels
     * (the default); the device then hands its sinks {@link #frame} and detects reads torn by later
     * calls. A backend that holds counts the memory of held pictures, which outlive their writes,
     * in what it reports; the device keeps at most a few held pictures per scanout and sink.
     */
    default HeldFrame hold(int resourceId) throws GpuBackendException {
        return null;
    }

    /**
     * The pixels of a blob resource laid out as SET_SCANOUT_BLOB describes: {@code format},
     * {@code width} x {@code height}, {@code stride} bytes a row from byte {@code offset}. Its memory is read as {@link #frame}'s
     * is; a view of the blob's guest memory will do, since the device stops every reader before
     * a reset lets the transport unmap it.
     */
    Frame blobFrame(int resourceId, int format, int width, int height, int stride, long offset)
            throws GpuBackendException;

    /**
     * Whether the display sinks get the scanouts' geometry but no pixels (QEMU's
     * {@code wsi=headless}, which a backend reads from its own configuration): the device then
     * reads no frame for the sinks. Fixed for the instance's lifetime.
     */
    default boolean headless() {
        return false;
    }

    /**
     * Gives the backend a turn on its owner thread to retire finished work and report
     * fences (virglrenderer's {@code virgl_renderer_poll}). The device calls it after each
     * command and, while fences are outstanding, at least every millisecond.
     */
    default void poll() {
    }

    /** Releases every resource, context, mapping and native handle. Never throws. */
    @Override
    void close();
}
