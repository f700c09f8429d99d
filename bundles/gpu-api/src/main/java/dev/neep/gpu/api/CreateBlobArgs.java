package dev.neep.gpu.api;

/**
 * What {@link GpuBackend#resourceCreateBlob} is given, as {@code struct rutabaga_create_blob}
 * carries it: the fields of the guest's RESOURCE_CREATE_BLOB after the device checked them.
 * {@code blobMem} and {@code blobFlags} take {@link dev.neep.gpu.protocol.Blobs} values.
 */
public record CreateBlobArgs(int blobMem, int blobFlags, long blobId, long size) {
}
