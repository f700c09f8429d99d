package dev.neep.gpu.protocol;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * {@code struct virtio_gpu_resource_create_2d}, 40 bytes. CMD_RESOURCE_CREATE_2D: a host-side
 * image of {@code format} ({@link Formats}).
 */
public record ResourceCreate2d(CtrlHdr hdr, int resourceId, int format, int width, int height) implements Request {
    public static final int SIZE = 40;
    static final String STRUCT = "virtio_gpu_resource_create_2d";

    public ResourceCreate2d {
        Objects.requireNonNull(hdr, "hdr");
    }

    public static Decoded<ResourceCreate2d> decode(ByteBuffer src) {
        return WireReader.decode(src, STRUCT, ResourceCreate2d::read);
    }

    static ResourceCreate2d read(WireReader in) {
        CtrlHdr hdr = in.hdr();
        int resourceId = in.u32("resource_id");
        int format = in.u32("format");
        int width = in.u32("width");
        int height = in.u32("height");
        return new ResourceCreate2d(hdr, resourceId, format, width, height);
    }

    @Override
    public void encode(ByteBuffer dst) {
        WireWriter w = new WireWriter(dst, SIZE);
        hdr.write(w);
        w.u32(resourceId);
        w.u32(format);
        w.u32(width);
        w.u32(height);
        w.done();
    }
}
