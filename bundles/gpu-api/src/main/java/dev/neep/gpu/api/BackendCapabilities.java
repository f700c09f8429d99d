package dev.neep.gpu.api;

/**
 * What a backend instance can do, from which the device derives the feature bits it
 * offers: {@code virgl3d} gives VIRTIO_GPU_F_VIRGL, {@code blob} F_RESOURCE_BLOB,
 * {@code contextInit} F_CONTEXT_INIT. {@code hostVisibleBlobs} says host blobs can be mapped
 * (they also need a transport with a host-visible shared memory region);
 * {@code blobHandles} that a mapped blob comes with a file descriptor
 * ({@link BlobMapping#handle()}), which a transport that maps only files (vhost-user) needs.
 */
public record BackendCapabilities(boolean virgl3d, boolean blob, boolean contextInit, boolean hostVisibleBlobs,
        boolean blobHandles) {

    /** A backend whose mapped blobs come without a file descriptor. */
    public BackendCapabilities(boolean virgl3d, boolean blob, boolean contextInit, boolean hostVisibleBlobs) {
        this(virgl3d, blob, contextInit, hostVisibleBlobs, false);
    }
}
