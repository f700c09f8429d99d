package dev.neep.gpu.protocol;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * {@code struct virtio_gpu_transfer_to_host_2d}, 56 bytes. CMD_TRANSFER_TO_HOST_2D: copy rectangle
 * {@code r} from the backing pages, starting at byte {@code offset} of the backing, into the host
 * resource.
 */
public record TransferToHost2d(CtrlHdr hdr, Rect r, long offset, int resourceId) implements Request {
    public static final int SIZE = 56;
    static final String STRUCT = "virtio_gpu_transfer_to_host_2d";

    public TransferToHost2d {
        Objects.requireNonNull(hdr, "hdr");
        Objects.requireNonNull(r, "r");
    }

    public static Decoded<TransferToHost2d> decode(ByteBuffer src) {
        return WireReader.decode(src, STRUCT, TransferToHost2d::read);
    }

    static TransferToHost2d read(WireReader in) {
        CtrlHdr hdr = in.hdr();
        Rect r = in.rect("r.");
        long offset = in.u64("offset");
        int resourceId = in.u32("resource_id");
        in.skip("padding", 4);
        return new TransferToHost2d(hdr, r, offset, resourceId);
    }

    @Override
    public void encode(ByteBuffer dst) {
        WireWriter w = new WireWriter(dst, SIZE);
        hdr.write(w);
        r.write(w);
        w.u64(offset);
        w.u32(resourceId);
        w.u32(0);
        w.done();
    }
}
