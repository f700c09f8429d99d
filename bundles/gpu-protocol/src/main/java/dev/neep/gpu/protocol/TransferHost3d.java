package dev.neep.gpu.protocol;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * {@code struct virtio_gpu_transfer_host_3d}, 72 bytes. CMD_TRANSFER_TO_HOST_3D and
 * CMD_TRANSFER_FROM_HOST_3D, told apart by {@code hdr.type}.
 */
public record TransferHost3d(CtrlHdr hdr, Box box, long offset, int resourceId, int level, int stride,
        int layerStride) implements Request {
    public static final int SIZE = 72;
    static final String STRUCT = "virtio_gpu_transfer_host_3d";

    public TransferHost3d {
        Objects.requireNonNull(hdr, "hdr");
        Objects.requireNonNull(box, "box");
    }

    public static Decoded<TransferHost3d> decode(ByteBuffer src) {
        return WireReader.decode(src, STRUCT, TransferHost3d::read);
    }

    static TransferHost3d read(WireReader in) {
        CtrlHdr hdr = in.hdr();
        Box box = Box.read(in, "box.");
        long offset = in.u64("offset");
        int resourceId = in.u32("resource_id");
        int level = in.u32("level");
        int stride = in.u32("stride");
        int layerStride = in.u32("layer_stride");
        return new TransferHost3d(hdr, box, offset, resourceId, level, stride, layerStride);
    }

    @Override
    public void encode(ByteBuffer dst) {
        WireWriter w = new WireWriter(dst, SIZE);
        hdr.write(w);
        box.write(w);
        w.u64(offset);
        w.u32(resourceId);
        w.u32(level);
        w.u32(stride);
        w.u32(layerStride);
        w.done();
    }
}
