package dev.neep.backend.rutabaga.internal;

import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_UNSPEC;

import com.sun.jna.Library;
import com.sun.jna.Native;
import dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.rutabaga;
import dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.rutabaga_handle;
import dev.neep.gpu.api.BlobMapping;
import dev.neep.gpu.api.GpuBackendException;

/**
 * The file descriptor of a mapped host blob, for a transport that maps only files (vhost-user's
 * SHMEM_MAP sends it to the front end). cross-domain's host blobs are memfds
 * ({@code RUTABAGA_MEM_HANDLE_TYPE_SHM}) whose mmap shows the same bytes as the library's own
 * mapping, both ways. Only a blob created with USE_SHAREABLE is exported: with USE_MAPPABLE
 * alone, rutabaga 0.1.2 hands its one descriptor over and the resource loses it, so a later map
 * or export fails. The descriptor is the backend's: it is closed when the blob is unmapped or
 * unreferenced.
 */
final class RutabagaBlobExport {

    /** close(2), the one libc call this needs. */
    interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class);

        int close(int fd);
    }

    private RutabagaBlobExport() {
    }

    /** {@code rutabaga_resource_export_blob} of a blob created with USE_SHAREABLE, else null. */
    static BlobMapping.Handle export(RutabagaGfxFfi lib, rutabaga ptr, RutabagaResource resource)
            throws GpuBackendException {
        if ((resource.blobFlags & RutabagaGfxFfi.RUTABAGA_BLOB_FLAG_USE_SHAREABLE) == 0) {
            return null;
        }
        rutabaga_handle handle = new rutabaga_handle();
        int rc = lib.rutabaga_resource_export_blob(ptr, resource.id, handle);
        if (rc != 0 || handle.os_handle < 0 || handle.os_handle > Integer.MAX_VALUE) {
            throw new GpuBackendException(RESP_ERR_UNSPEC, "rutabaga_resource_export_blob(" + resource.id
                    + ") returned " + rc + " with handle " + handle.os_handle);
        }
        return new BlobMapping.Handle((int) handle.os_handle, handle.handle_type);
    }

    /** Closes the descriptor exported for {@code resource}, if any. */
    static void close(RutabagaResource resource) throws GpuBackendException {
        BlobMapping.Handle handle = resource.exported;
        resource.exported = null;
        if (handle != null && LibC.INSTANCE.close(handle.fd()) != 0) {
            throw new GpuBackendException(RESP_ERR_UNSPEC, "close(" + handle.fd() + ") of blob " + resource.id
                    + "'s exported descriptor failed: errno " + Native.getLastError());
        }
    }
}
