package dev.neep.gpu.api;

/**
 * What a backend instance can do, from which the device derives the feature bits it
 * offers: {@code virgl3d} gives VIRTIO_GPU_F_VIRGL, {@code blob} F_RESOURCE_BLOB,
 * {@code contextInit} F_CONTEXT_INIT. {@code hostVisibleBlobs} says blobs can be mapped
 * (they also need a transport with a host-visible shared-memory region).
 */
public record BackendCapabilities(boolean virgl3d, boolean blob, boolean contextInit, boolean hostVisibleBlobs) {
}
