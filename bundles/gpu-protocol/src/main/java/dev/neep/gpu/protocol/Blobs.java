package dev.neep.gpu.protocol;

/**
 * Constants of blob resources (virtio 1.3 §5.7.6.8, RESOURCE_CREATE_BLOB / RESOURCE_MAP_BLOB).
 */
public final class Blobs {
    /** {@code blob_mem}: guest pages only. Zero is invalid. */
    public static final int BLOB_MEM_GUEST = 0x0001;
    /** {@code blob_mem}: host memory of a 3D context, named by {@code blob_id}. */
    public static final int BLOB_MEM_HOST3D = 0x0002;
    /** {@code blob_mem}: host 3D memory with guest pages for transfers. */
    public static final int BLOB_MEM_HOST3D_GUEST = 0x0003;

    public static final int BLOB_FLAG_USE_MAPPABLE = 0x0001;
    public static final int BLOB_FLAG_USE_SHAREABLE = 0x0002;
    public static final int BLOB_FLAG_USE_CROSS_DEVICE = 0x0004;

    /** {@code RespMapInfo.mapInfo} bits that carry the caching type. */
    public static final int MAP_CACHE_MASK = 0x0f;
    public static final int MAP_CACHE_NONE = 0x00;
    public static final int MAP_CACHE_CACHED = 0x01;
    public static final int MAP_CACHE_UNCACHED = 0x02;
    public static final int MAP_CACHE_WC = 0x03;

    /** Shared memory region id of the host-visible window that MAP_BLOB maps into. */
    public static final int SHM_ID_HOST_VISIBLE = 1;

    private Blobs() {
    }
}
