package dev.neep.gpu.api;

/** The arguments of RESOURCE_CREATE_BLOB, as {@code struct rutabaga_create_blob} carries them. */
public record ResourceCreateBlob(int blobMem, int blobFlags, long blobId, long size) {
    public static final int BLOB_MEM_GUEST = 1;
    public static final int BLOB_MEM_HOST3D = 2;
    public static final int BLOB_MEM_HOST3D_GUEST = 3;
    public static final int BLOB_FLAG_USE_MAPPABLE = 1;
    public static final int BLOB_FLAG_USE_SHAREABLE = 2;
    public static final int BLOB_FLAG_USE_CROSS_DEVICE = 4;
}
