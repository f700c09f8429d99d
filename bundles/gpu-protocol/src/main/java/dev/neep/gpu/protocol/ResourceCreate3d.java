package dev.neep.gpu.protocol;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * {@code struct virtio_gpu_resource_create_3d}, 72 bytes. CMD_RESOURCE_CREATE_3D (feature VIRGL).
 * {@code target}, {@code format} and {@code bind} are Gallium values passed to the renderer as
 * they are.
 */
public record ResourceCreate3d(CtrlHdr hdr, int resourceId, int target, int format, int bind, int width, int height,
        int depth, int arraySize, int lastLevel, int nrSamples, int flags) implements Request {
    public static final int SIZE = 72;
    /** {@code flags} bit VIRTIO_GPU_RESOURCE_FLAG_Y_0_TOP: row 0 is the top row. */
    public static final int FLAG_Y_0_TOP = 1;
    static final String STRUCT = "virtio_gpu_resource_create_3d";

    public ResourceCreate3d {
        Objects.requireNonNull(hdr, "hdr");
    }

    public static Decoded<ResourceCreate3d> decode(ByteBuffer src) {
        return WireReader.decode(src, STRUCT, ResourceCreate3d::read);
    }

    static ResourceCreate3d read(WireReader in) {
        CtrlHdr hdr = in.hdr();
        int resourceId = in.u32("resource_id");
        int target = in.u32("target");
        int format = in.u32("format");
        int bind = in.u32("bind");
        int width = in.u32("width");
        int height = in.u32("height");
        int depth = in.u32("depth");
        int arraySize = in.u32("array_size");
        int lastLevel = in.u32("last_level");
        int nrSamples = in.u32("nr_samples");
        int flags = in.u32("flags");
        in.skip("padding", 4);
        return new ResourceCreate3d(
                hdr, resourceId, target, format, bind, width, height, depth, arraySize, lastLevel, nrSamples, flags);
    }

    @Override
    public void encode(ByteBuffer dst) {
        WireWriter w = new WireWriter(dst, SIZE);
        hdr.write(w);
        w.u32(resourceId);
        w.u32(target);
        w.u32(format);
        w.u32(bind);
        w.u32(width);
        w.u32(height);
        w.u32(depth);
        w.u32(arraySize);
        w.u32(lastLevel);
        w.u32(nrSamples);
        w.u32(flags);
        w.u32(0);
        w.done();
    }
}
