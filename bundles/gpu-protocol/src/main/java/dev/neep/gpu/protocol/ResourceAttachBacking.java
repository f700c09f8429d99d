package dev.neep.gpu.protocol;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * {@code struct virtio_gpu_resource_attach_backing}, 32 bytes. CMD_RESOURCE_ATTACH_BACKING. {@code
 * nrEntries} (u32) {@link MemEntry} structs follow the fixed part; read them with {@link
 * MemEntry#decodeAll}.
 */
public record ResourceAttachBacking(CtrlHdr hdr, int resourceId, int nrEntries) implements Request {
    public static final int SIZE = 32;
    static final String STRUCT = "virtio_gpu_resource_attach_backing";

    public ResourceAttachBacking {
        Objects.requireNonNull(hdr, "hdr");
    }

    public static Decoded<ResourceAttachBacking> decode(ByteBuffer src) {
        return WireReader.decode(src, STRUCT, ResourceAttachBacking::read);
    }

    static ResourceAttachBacking read(WireReader in) {
        CtrlHdr hdr = in.hdr();
        int resourceId = in.u32("resource_id");
        int nrEntries = in.u32("nr_entries");
        return new ResourceAttachBacking(hdr, resourceId, nrEntries);
    }

    @Override
    public void encode(ByteBuffer dst) {
        WireWriter w = new WireWriter(dst, SIZE);
        hdr.write(w);
        w.u32(resourceId);
        w.u32(nrEntries);
        w.done();
    }
}
