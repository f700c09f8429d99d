package dev.neep.gpu.protocol;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * {@code struct virtio_gpu_resource_assign_uuid}, 32 bytes. CMD_RESOURCE_ASSIGN_UUID (feature
 * RESOURCE_UUID): answered by {@link RespResourceUuid}.
 */
public record ResourceAssignUuid(CtrlHdr hdr, int resourceId) implements Request {
    public static final int SIZE = 32;
    static final String STRUCT = "virtio_gpu_resource_assign_uuid";

    public ResourceAssignUuid {
        Objects.requireNonNull(hdr, "hdr");
    }

    public static Decoded<ResourceAssignUuid> decode(ByteBuffer src) {
        return WireReader.decode(src, STRUCT, ResourceAssignUuid::read);
    }

    static ResourceAssignUuid read(WireReader in) {
        CtrlHdr hdr = in.hdr();
        int resourceId = in.u32("resource_id");
        in.skip("padding", 4);
        return new ResourceAssignUuid(hdr, resourceId);
    }

    @Override
    public void encode(ByteBuffer dst) {
        WireWriter w = new WireWriter(dst, SIZE);
        hdr.write(w);
        w.u32(resourceId);
        w.u32(0);
        w.done();
    }
}
