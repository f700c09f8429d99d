package dev.neep.backend.rutabaga.internal;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.PointerType;
import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * {@code <rutabaga_gfx/rutabaga_gfx_ffi.h>} 0.1.2, name for name: every function, constant and
 * struct of the header. Types follow the header on LP64 (the library is built for 64-bit hosts
 * only): {@code uint32_t} / {@code int32_t} are {@code int}, {@code uint64_t} / {@code int64_t}
 * and {@code size_t} are {@code long}, pointers are {@link Pointer}, {@code struct rutabaga *} is
 * {@link rutabaga}.
 *
 * <p>Every function returns 0, a negative errno ({@code -EINVAL} for any library error, whose
 * text goes to the debug callback), or {@code -ESRCH} (-3) when the library caught a panic.
 * Every call on a {@code struct rutabaga} must come from the thread that created it.
 *
 * <p>Reached only through {@link RutabagaNative}, which loads it and records why it could not.
 */
public interface RutabagaGfxFfi extends Library {

    int RUTABAGA_VERSION_MAJOR = 0;
    int RUTABAGA_VERSION_MINOR = 1;
    int RUTABAGA_VERSION_PATCH = 2;

    int RUTABAGA_CAPSET_VIRGL = 1;
    int RUTABAGA_CAPSET_VIRGL2 = 2;
    int RUTABAGA_CAPSET_GFXSTREAM_VULKAN = 3;
    int RUTABAGA_CAPSET_VENUS = 4;
    int RUTABAGA_CAPSET_CROSS_DOMAIN = 5;
    int RUTABAGA_CAPSET_DRM = 6;
    int RUTABAGA_CAPSET_GFXSTREAM_MAGMA = 7;
    int RUTABAGA_CAPSET_GFXSTREAM_GLES = 8;
    int RUTABAGA_CAPSET_GFXSTREAM_COMPOSER = 9;

    int RUTABAGA_BLOB_MEM_GUEST = 1;
    int RUTABAGA_BLOB_MEM_HOST3D = 2;
    int RUTABAGA_BLOB_MEM_HOST3D_GUEST = 3;

    int RUTABAGA_BLOB_FLAG_USE_MAPPABLE = 1;
    int RUTABAGA_BLOB_FLAG_USE_SHAREABLE = 2;
    int RUTABAGA_BLOB_FLAG_USE_CROSS_DEVICE = 4;

    int RUTABAGA_MAP_CACHE_MASK = 0x0f;
    int RUTABAGA_MAP_CACHE_CACHED = 0x01;
    int RUTABAGA_MAP_CACHE_UNCACHED = 0x02;
    int RUTABAGA_MAP_CACHE_WC = 0x03;

    int RUTABAGA_MAP_ACCESS_MASK = 0xf0;
    int RUTABAGA_MAP_ACCESS_READ = 0x10;
    int RUTABAGA_MAP_ACCESS_WRITE = 0x20;
    int RUTABAGA_MAP_ACCESS_RW = 0x30;

    int RUTABAGA_MEM_HANDLE_TYPE_OPAQUE_FD = 0x1;
    int RUTABAGA_MEM_HANDLE_TYPE_DMABUF = 0x2;
    int RUTABAGA_MEM_HANDLE_TYPE_OPAQUE_WIN32 = 0x3;
    int RUTABAGA_MEM_HANDLE_TYPE_SHM = 0x4;
    int RUTABAGA_MEM_HANDLE_TYPE_ZIRCON = 0x5;

    int RUTABAGA_FENCE_HANDLE_TYPE_OPAQUE_FD = 0x6;
    int RUTABAGA_FENCE_HANDLE_TYPE_SYNC_FD = 0x7;
    int RUTABAGA_FENCE_HANDLE_TYPE_OPAQUE_WIN32 = 0x8;
    int RUTABAGA_FENCE_HANDLE_TYPE_ZIRCON = 0x9;

    int RUTABAGA_CHANNEL_TYPE_WAYLAND = 1;

    /** The only window-system integration the library accepts; anything else is -EINVAL. */
    long RUTABAGA_WSI_SURFACELESS = 0x1;

    int RUTABAGA_FLAG_FENCE = 1 << 0;
    int RUTABAGA_FLAG_INFO_RING_IDX = 1 << 1;
    int RUTABAGA_FLAG_FENCE_SHAREABLE = 1 << 2;

    int RUTABAGA_DEBUG_ERROR = 0x1;
    int RUTABAGA_DEBUG_WARN = 0x2;
    int RUTABAGA_DEBUG_INFO = 0x3;

    /** {@code struct rutabaga}: opaque, created by {@link #rutabaga_init}, freed by {@link #rutabaga_finish}. */
    class rutabaga extends PointerType {
        public rutabaga() {
        }

        public rutabaga(Pointer p) {
            super(p);
        }
    }

    /** {@code struct rutabaga_create_blob}: 24 bytes. */
    @FieldOrder({"blob_mem", "blob_flags", "blob_id", "size"})
    class rutabaga_create_blob extends Structure {
        public int blob_mem;
        public int blob_flags;
        public long blob_id;
        public long size;
    }

    /** {@code struct rutabaga_create_3d}: ten {@code uint32_t}, 40 bytes. */
    @FieldOrder({"target", "format", "bind", "width", "height", "depth", "array_size", "last_level", "nr_samples",
            "flags"})
    class rutabaga_create_3d extends Structure {
        public int target;
        public int format;
        public int bind;
        public int width;
        public int height;
        public int depth;
        public int array_size;
        public int last_level;
        public int nr_samples;
        public int flags;
    }

    /** {@code struct rutabaga_transfer}: nine {@code uint32_t}, then {@code offset} at 40; 48 bytes. */
    @FieldOrder({"x", "y", "z", "w", "h", "d", "level", "stride", "layer_stride", "offset"})
    class rutabaga_transfer extends Structure {
        public int x;
        public int y;
        public int z;
        public int w;
        public int h;
        public int d;
        public int level;
        public int stride;
        public int layer_stride;
        public long offset;
    }

    /** {@code struct rutabaga_iovecs}: an array of {@code struct iovec} and its length; 16 bytes. */
    @FieldOrder({"iovecs", "num_iovecs"})
    class rutabaga_iovecs extends Structure {
        public Pointer iovecs;
        public long num_iovecs;
    }

    /** {@code struct rutabaga_handle}: 16 bytes. */
    @FieldOrder({"os_handle", "handle_type"})
    class rutabaga_handle extends Structure {
        public long os_handle;
        public int handle_type;
    }

    /** {@code struct rutabaga_mapping}: 16 bytes. */
    @FieldOrder({"ptr", "size"})
    class rutabaga_mapping extends Structure {
        public Pointer ptr;
        public long size;
    }

    /**
     * {@code struct rutabaga_command}: 32 bytes. The header marks {@code num_in_fences} and
     * {@code fence_ids} unstable before 0.1.3, but 0.1.2 already reads them (as a slice, so
     * {@code fence_ids} must not be NULL even for zero fences) and later versions rely on the
     * full size: they are always mapped and always filled in.
     */
    @FieldOrder({"ctx_id", "cmd_size", "cmd", "num_in_fences", "fence_ids"})
    class rutabaga_command extends Structure {
        public int ctx_id;
        public int cmd_size;
        public Pointer cmd;
        public int num_in_fences;
        public Pointer fence_ids;
    }

    /** {@code struct rutabaga_channel}: a NUL-terminated path and its type; 16 bytes. */
    @FieldOrder({"channel_name", "channel_type"})
    class rutabaga_channel extends Structure {
        public Pointer channel_name;
        public int channel_type;
    }

    /** {@code struct rutabaga_channels}: 16 bytes. */
    @FieldOrder({"channels", "num_channels"})
    class rutabaga_channels extends Structure {
        public Pointer channels;
        public long num_channels;
    }

    /**
     * {@code struct rutabaga_fence}: 24 bytes. The header says {@code uint32_t ring_idx}, but the
     * library's own struct has a {@code u8} there and leaves the three bytes after it as they
     * were: read it with {@link #ringIdx()}.
     */
    @FieldOrder({"flags", "fence_id", "ctx_id", "ring_idx"})
    class rutabaga_fence extends Structure {
        public int flags;
        public long fence_id;
        public int ctx_id;
        public int ring_idx;

        public rutabaga_fence() {
        }

        public rutabaga_fence(Pointer p) {
            super(p);
            read();
        }

        public int ringIdx() {
            return ring_idx & 0xff;
        }
    }

    /** {@code struct rutabaga_debug}: 16 bytes; {@code message} is valid only during the callback. */
    @FieldOrder({"debug_type", "message"})
    class rutabaga_debug extends Structure {
        public int debug_type;
        public Pointer message;

        public rutabaga_debug() {
        }

        public rutabaga_debug(Pointer p) {
            super(p);
            read();
        }
    }

    /**
     * {@code typedef void (*rutabaga_fence_callback)(uint64_t user_data, const struct rutabaga_fence *fence)}.
     * Called on whichever thread completed the fence (inside {@link #rutabaga_create_fence} for
     * the 2D component); nothing may be thrown back into the library.
     */
    interface rutabaga_fence_callback extends Callback {
        void invoke(long user_data, Pointer fence);
    }

    /**
     * {@code typedef void (*rutabaga_debug_callback)(uint64_t user_data, const struct rutabaga_debug *debug)}.
     * The library installs the first one it is given for the rest of the process.
     */
    interface rutabaga_debug_callback extends Callback {
        void invoke(long user_data, Pointer debug);
    }

    /**
     * {@code struct rutabaga_builder}: 48 bytes in 0.1.2. Later versions append optional fields
     * (renderer features, gfxstream hooks, display geometry) that they read when present; the
     * backend builds the struct over a larger zeroed block so those read as "unset".
     */
    @FieldOrder({"user_data", "capset_mask", "wsi", "fence_cb", "debug_cb", "channels"})
    class rutabaga_builder extends Structure {
        public long user_data;
        public long capset_mask;
        public long wsi;
        public rutabaga_fence_callback fence_cb;
        public rutabaga_debug_callback debug_cb;
        public Pointer channels;

        public rutabaga_builder() {
        }

        public rutabaga_builder(Pointer p) {
            super(p);
        }
    }

    /** Colon-separated capset names to a mask of {@code 1 << capset_id}; unknown names add nothing. */
    int rutabaga_calculate_capset_mask(String capset_names, LongByReference capset_mask);

    int rutabaga_init(rutabaga_builder builder, PointerByReference ptr);

    int rutabaga_finish(PointerByReference ptr);

    int rutabaga_get_num_capsets(rutabaga ptr, IntByReference num_capsets);

    int rutabaga_get_capset_info(rutabaga ptr, int capset_index, IntByReference capset_id,
            IntByReference capset_version, IntByReference capset_size);

    /** Copies exactly {@code capset_size} bytes, unchecked: pass what get_capset_info reported. */
    int rutabaga_get_capset(rutabaga ptr, int capset_id, int version, Pointer capset, int capset_size);

    int rutabaga_context_create(rutabaga ptr, int ctx_id, int context_init, Pointer context_name,
            int context_name_len);

    int rutabaga_context_destroy(rutabaga ptr, int ctx_id);

    int rutabaga_context_attach_resource(rutabaga ptr, int ctx_id, int resource_id);

    int rutabaga_context_detach_resource(rutabaga ptr, int ctx_id, int resource_id);

    int rutabaga_resource_create_3d(rutabaga ptr, int resource_id, rutabaga_create_3d create_3d);

    /** The library keeps the iovec addresses (not the array) until detach or unref. */
    int rutabaga_resource_attach_backing(rutabaga ptr, int resource_id, rutabaga_iovecs iovecs);

    int rutabaga_resource_detach_backing(rutabaga ptr, int resource_id);

    /** {@code iovec} is one {@code struct iovec}: the destination, or NULL for the attached backing. */
    int rutabaga_resource_transfer_read(rutabaga ptr, int ctx_id, int resource_id, rutabaga_transfer transfer,
            Pointer iovec);

    int rutabaga_resource_transfer_write(rutabaga ptr, int ctx_id, int resource_id, rutabaga_transfer transfer);

    int rutabaga_resource_create_blob(rutabaga ptr, int ctx_id, int resource_id,
            rutabaga_create_blob rutabaga_create_blob, rutabaga_iovecs iovecs, rutabaga_handle handle);

    int rutabaga_resource_unref(rutabaga ptr, int resource_id);

    /** On success the caller owns {@code handle.os_handle} and must close it. */
    int rutabaga_resource_export_blob(rutabaga ptr, int resource_id, rutabaga_handle handle);

    int rutabaga_resource_map(rutabaga ptr, int resource_id, rutabaga_mapping mapping);

    int rutabaga_resource_unmap(rutabaga ptr, int resource_id);

    int rutabaga_resource_map_info(rutabaga ptr, int resource_id, IntByReference map_info);

    int rutabaga_submit_command(rutabaga ptr, rutabaga_command cmd);

    int rutabaga_create_fence(rutabaga ptr, rutabaga_fence fence);
}
