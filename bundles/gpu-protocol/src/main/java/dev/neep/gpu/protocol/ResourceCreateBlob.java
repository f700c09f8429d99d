package dev.neep.gpu.protocol;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * {@code struct virtio_gpu_resource_create_blob}, 56 bytes. CMD_RESOURCE_CREATE_BLOB (feature
 * RESOURCE_BLOB). {@code blobMem} and {@code blobFlags} take {@link Blobs} values; {@code
 * nrEntries} {@link MemEntry} structs follow the fixed part.
 */
public record ResourceCreateBlob(CtrlHdr hdr, int resourceId, int blobMem, int blobFlags, int nrEntries, long blobId,
        long size) implements Request {
    public static final int SIZE = 56;
    static final String STRUCT = "virtio_gpu_resource_create_blob";

    public ResourceCreateBlob {
        Objects.requireNonNull(hdr, "hdr");
    }

    public static Decoded<ResourceCreateBlob> decode(ByteBuffer src) {
        return WireReader.decode(src, STRUCT, ResourceCreateBlob::read);
    }

    static ResourceCreateBlob read(WireReader in) {
        CtrlHdr hdr = in.hdr();
        int resourceId = in.u32("resource_id");
        int blobMem = in.u32("blob_mem");
        int blobFlags = in.u32("blob_flags");
        int nrEntries = in.u32("nr_entries");
        long blobId = in.u64("blob_id");
        long size = in.u64("size");
        return new ResourceCreateBlob(hdr, resourceId, blobMem, blobFlags, nrEntries, blobId, size);
    }

    @Override
    public void encode(ByteBuffer dst) {
        WireWriter w = new WireWriter(dst, SIZE);
        hdr.write(w);
        w.u32(resourceId);
        w.u32(blobMem);
        w.u32(blobFlags);
        w.u32(nrEntries);
        w.u64(blobId);
        w.u64(size);
        w.done();
    }
}
