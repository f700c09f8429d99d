package dev.neep.gpu.protocol;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * {@code struct virtio_gpu_update_cursor}, 56 bytes. CMD_UPDATE_CURSOR and CMD_MOVE_CURSOR (told
 * apart by {@code hdr.type}; a move uses only {@code pos}). Sent on the cursor queue.
 */
public record UpdateCursor(CtrlHdr hdr, CursorPos pos, int resourceId, int hotX, int hotY) implements Request {
    public static final int SIZE = 56;
    static final String STRUCT = "virtio_gpu_update_cursor";

    public UpdateCursor {
        Objects.requireNonNull(hdr, "hdr");
        Objects.requireNonNull(pos, "pos");
    }

    public static Decoded<UpdateCursor> decode(ByteBuffer src) {
        return WireReader.decode(src, STRUCT, UpdateCursor::read);
    }

    static UpdateCursor read(WireReader in) {
        CtrlHdr hdr = in.hdr();
        CursorPos pos = CursorPos.read(in, "pos.");
        int resourceId = in.u32("resource_id");
        int hotX = in.u32("hot_x");
        int hotY = in.u32("hot_y");
        in.skip("padding", 4);
        return new UpdateCursor(hdr, pos, resourceId, hotX, hotY);
    }

    @Override
    public void encode(ByteBuffer dst) {
        WireWriter w = new WireWriter(dst, SIZE);
        hdr.write(w);
        pos.write(w);
        w.u32(resourceId);
        w.u32(hotX);
        w.u32(hotY);
        w.u32(0);
        w.done();
    }
}
