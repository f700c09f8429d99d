package dev.neep.backend.rutabaga.internal;

import dev.neep.backend.support.ReadBack;
import dev.neep.gpu.api.BlobMapping;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * What the rutabaga backend keeps of one resource: its geometry, the guest memory the library
 * holds addresses of (kept reachable while attached), and a blob's host mapping.
 * Confined to the instance's owner thread.
 */
final class RutabagaResource {
    final int id;
    final boolean blob;
    final int format;
    final int width;
    final int height;
    /** Guest memory the library holds addresses of; kept reachable while attached. */
    List<ByteBuffer> backing;
    /** The host mapping of a mapped blob. */
    ByteBuffer mapping;
    /** A blob's {@code blob_flags}. */
    int blobFlags;
    /** The file descriptor exported for a mapped blob, or null ({@link RutabagaBlobExport}). */
    BlobMapping.Handle exported;
    /** Where a frame of it is read back (see {@link RutabagaFrames#frame}); owner thread. */
    ReadBack display;
    /** Where a blob's rows are gathered for display when they lie in several buffers. */
    ByteBuffer blobDisplay;

    RutabagaResource(int id, boolean blob, int format, int width, int height) {
        this.id = id;
        this.blob = blob;
        this.format = format;
        this.width = width;
        this.height = height;
    }
}
