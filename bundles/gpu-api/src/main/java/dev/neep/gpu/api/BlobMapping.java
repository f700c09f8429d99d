package dev.neep.gpu.api;

import java.nio.ByteBuffer;

/**
 * A mapped host-visible blob: the host memory and the VIRTIO_GPU_MAP_CACHE_* bits the
 * guest must map it with (RESOURCE_MAP_BLOB's {@code map_info}).
 */
public record BlobMapping(ByteBuffer memory, int mapInfo) {
    public static final int MAP_CACHE_NONE = 0;
    public static final int MAP_CACHE_CACHED = 1;
    public static final int MAP_CACHE_UNCACHED = 2;
    public static final int MAP_CACHE_WC = 3;
}
