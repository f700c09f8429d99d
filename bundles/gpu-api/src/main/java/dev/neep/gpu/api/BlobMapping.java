package dev.neep.gpu.api;

import dev.neep.gpu.protocol.Blobs;
import java.nio.ByteBuffer;

/**
 * A mapped host-visible blob, as {@link GpuBackend#mapBlob} returns it: the host memory, the
 * VIRTIO_GPU_MAP_CACHE_* bits the guest must map it with (RESOURCE_MAP_BLOB's {@code map_info},
 * nothing else: a library's own access bits are masked off), and what a transport needs to show
 * the same bytes to its driver.
 *
 * <p>{@code address} is the native address of {@code memory}'s first byte, or 0 when the
 * backend cannot say (then only a transport that serves the driver's accesses in Java can map
 * it). {@code handle} is a file descriptor of the same bytes, from offset 0, or null when the
 * backend has none (virglrenderer's blobs on llvmpipe live in the renderer's heap); a transport
 * that maps only files (vhost-user) needs it. Both stay the backend's and are valid until
 * {@link GpuBackend#unmapBlob}: the caller neither frees the memory nor closes the descriptor.
 */
public record BlobMapping(ByteBuffer memory, long address, int mapInfo, Handle handle) {
    public static final int MAP_CACHE_NONE = 0;
    public static final int MAP_CACHE_CACHED = 1;
    public static final int MAP_CACHE_UNCACHED = 2;
    public static final int MAP_CACHE_WC = 3;

    /**
     * A file descriptor of a blob's bytes and its kind, as rutabaga exports it
     * ({@code RUTABAGA_MEM_HANDLE_TYPE_*}: {@link #OPAQUE_FD}, {@link #DMABUF}, {@link #SHM}).
     */
    public record Handle(int fd, int handleType) {
        public static final int OPAQUE_FD = 1;
        public static final int DMABUF = 2;
        public static final int SHM = 4;

        public Handle {
            if (fd < 0) {
                throw new IllegalArgumentException("blob handle fd " + fd);
            }
        }
    }

    public BlobMapping {
        if ((mapInfo & ~Blobs.MAP_CACHE_MASK) != 0) {
            throw new IllegalArgumentException("map_info 0x" + Integer.toHexString(mapInfo)
                    + " carries bits beyond the cache type");
        }
    }

    /** Host memory only: no native address, no file descriptor. */
    public BlobMapping(ByteBuffer memory, int mapInfo) {
        this(memory, 0, mapInfo, null);
    }
}
