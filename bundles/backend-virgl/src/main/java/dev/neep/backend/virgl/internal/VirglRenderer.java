package dev.neep.backend.virgl.internal;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * The part of {@code <virgl/virglrenderer.h>} (libvirglrenderer 0.10.4, with
 * {@code VIRGL_RENDERER_UNSTABLE_APIS}) that the backend calls, name for name. Types follow the
 * header: {@code uint32_t} and {@code int} are {@code int}, {@code uint64_t} is {@code long},
 * {@code struct iovec *} is a {@link Pointer} to an array of {@code {void *base; size_t len}}.
 *
 * <p>Return codes are not uniform in the library: most calls return a positive errno
 * ({@code EINVAL}), a few a negative one; 0 is success everywhere. Every call must come from
 * the thread that called {@link #virgl_renderer_init}.
 *
 * <p>Reached only through {@link VirglNative}, which loads it and records why it could not.
 */
public interface VirglRenderer extends Library {

    // flags of virgl_renderer_init
    int VIRGL_RENDERER_USE_EGL = 1;
    int VIRGL_RENDERER_THREAD_SYNC = 2;
    int VIRGL_RENDERER_USE_GLX = 1 << 2;
    int VIRGL_RENDERER_USE_SURFACELESS = 1 << 3;
    int VIRGL_RENDERER_USE_GLES = 1 << 4;

    /** The callbacks version we fill in: 3 adds write_context_fence and get_server_fd. */
    int CALLBACKS_VERSION = 3;

    int VIRGL_RENDERER_CONTEXT_FLAG_CAPSET_ID_MASK = 0xff;
    int VIRGL_RENDERER_FENCE_FLAG_MERGEABLE = 1;

    // bind flags (virglrenderer.h keeps these for compatibility; virgl_hw.h has the same bits)
    int VIRGL_RES_BIND_RENDER_TARGET = 1 << 1;
    int VIRGL_RES_BIND_SAMPLER_VIEW = 1 << 3;

    // from virgl_hw.h / p_defines.h, not in the public header
    int PIPE_BUFFER = 0;
    int PIPE_TEXTURE_2D = 2;
    int PIPE_TEXTURE_RECT = 5;
    int VIRGL_RESOURCE_Y_0_TOP = 1;

    /** {@code void (*write_fence)(void *cookie, uint32_t fence)}. */
    interface write_fence_callback extends Callback {
        void invoke(Pointer cookie, int fence);
    }

    /** {@code void (*write_context_fence)(void *cookie, uint32_t ctx_id, uint32_t ring_idx, uint64_t fence_id)}. */
    interface write_context_fence_callback extends Callback {
        void invoke(Pointer cookie, int ctx_id, int ring_idx, long fence_id);
    }

    /**
     * {@code struct virgl_renderer_callbacks} up to version 3. The library keeps the pointer
     * until {@code virgl_renderer_cleanup}: the instance (and the callbacks it holds) must stay
     * strongly reachable that long. The GL-context and DRM callbacks stay NULL because
     * {@code VIRGL_RENDERER_USE_EGL} makes the library use its own EGL winsys; version 4's
     * {@code get_egl_display} is left out since the library reads it only at version 4.
     */
    @FieldOrder({"version", "write_fence", "create_gl_context", "destroy_gl_context", "make_current",
            "get_drm_fd", "write_context_fence", "get_server_fd"})
    class virgl_renderer_callbacks extends Structure {
        public int version;
        public write_fence_callback write_fence;
        public Pointer create_gl_context;
        public Pointer destroy_gl_context;
        public Pointer make_current;
        public Pointer get_drm_fd;
        public write_context_fence_callback write_context_fence;
        public Pointer get_server_fd;
    }

    /** {@code struct virgl_renderer_resource_create_args}: eleven {@code uint32_t}. */
    @FieldOrder({"handle", "target", "format", "bind", "width", "height", "depth", "array_size", "last_level",
            "nr_samples", "flags"})
    class virgl_renderer_resource_create_args extends Structure {
        public int handle;
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

    /**
     * {@code struct virgl_renderer_resource_create_blob_args}: res_handle, ctx_id, blob_mem,
     * blob_flags ({@code uint32_t}), blob_id, size ({@code uint64_t}), the guest pages as
     * {@code const struct iovec *} and their count.
     */
    @FieldOrder({"res_handle", "ctx_id", "blob_mem", "blob_flags", "blob_id", "size", "iovecs", "num_iovs"})
    class virgl_renderer_resource_create_blob_args extends Structure {
        public int res_handle;
        public int ctx_id;
        public int blob_mem;
        public int blob_flags;
        public long blob_id;
        public long size;
        public Pointer iovecs;
        public int num_iovs;
    }

    /** {@code struct virgl_box {uint32_t x, y, z, w, h, d;}}: declared only in virgl_hw.h. */
    @FieldOrder({"x", "y", "z", "w", "h", "d"})
    class virgl_box extends Structure {
        public int x;
        public int y;
        public int z;
        public int w;
        public int h;
        public int d;

        public virgl_box() {
        }

        public virgl_box(int x, int y, int z, int w, int h, int d) {
            this.x = x;
            this.y = y;
            this.z = z;
            this.w = w;
            this.h = h;
            this.d = d;
        }
    }

    int virgl_renderer_init(Pointer cookie, int flags, virgl_renderer_callbacks cb);

    void virgl_renderer_poll();

    int virgl_renderer_get_poll_fd();

    void virgl_renderer_cleanup(Pointer cookie);

    void virgl_renderer_get_cap_set(int set, IntByReference max_ver, IntByReference max_size);

    void virgl_renderer_fill_caps(int set, int version, Pointer caps);

    int virgl_renderer_resource_create(virgl_renderer_resource_create_args args, Pointer iov, int num_iovs);

    void virgl_renderer_resource_unref(int res_handle);

    int virgl_renderer_resource_create_blob(virgl_renderer_resource_create_blob_args args);

    int virgl_renderer_resource_map(int res_handle, PointerByReference map, LongByReference out_size);

    int virgl_renderer_resource_unmap(int res_handle);

    int virgl_renderer_resource_get_map_info(int res_handle, IntByReference map_info);

    int virgl_renderer_resource_attach_iov(int res_handle, Pointer iov, int num_iovs);

    void virgl_renderer_resource_detach_iov(int res_handle, PointerByReference iov, IntByReference num_iovs);

    int virgl_renderer_transfer_write_iov(int handle, int ctx_id, int level, int stride, int layer_stride,
            virgl_box box, long offset, Pointer iovec, int iovec_cnt);

    int virgl_renderer_transfer_read_iov(int handle, int ctx_id, int level, int stride, int layer_stride,
            virgl_box box, long offset, Pointer iovec, int iovec_cnt);

    int virgl_renderer_context_create(int handle, int nlen, byte[] name);

    int virgl_renderer_context_create_with_flags(int ctx_id, int ctx_flags, int nlen, byte[] name);

    void virgl_renderer_context_destroy(int handle);

    void virgl_renderer_ctx_attach_resource(int ctx_id, int res_handle);

    void virgl_renderer_ctx_detach_resource(int ctx_id, int res_handle);

    int virgl_renderer_submit_cmd(Pointer buffer, int ctx_id, int ndw);

    int virgl_renderer_create_fence(int client_fence_id, int ctx_id);

    int virgl_renderer_context_create_fence(int ctx_id, int flags, int ring_idx, long fence_id);
}
