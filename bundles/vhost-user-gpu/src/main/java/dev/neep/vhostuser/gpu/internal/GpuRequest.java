package dev.neep.vhostuser.gpu.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import dev.neep.gpu.api.CursorImage;

/**
 * Message ids of the vhost-user-gpu display channel (QEMU docs/interop/vhost-user-gpu.rst),
 * the socket the front end hands over with GPU_SET_SOCKET. The back-end sends requests;
 * the front end answers only the GET_* ones (flag {@link dev.neep.vhostuser.protocol.MessageHeader#REPLY}).
 */
final class GpuRequest {
    static final int GET_PROTOCOL_FEATURES = 1;
    static final int SET_PROTOCOL_FEATURES = 2;
    static final int GET_DISPLAY_INFO = 3;
    static final int CURSOR_POS = 4;
    static final int CURSOR_POS_HIDE = 5;
    static final int CURSOR_UPDATE = 6;
    static final int SCANOUT = 7;
    static final int UPDATE = 8;
    static final int GET_EDID = 11;

    /** VHOST_USER_GPU_PROTOCOL_F_EDID: GET_EDID may be sent. */
    static final int F_EDID = 0;

    /** VhostUserGpuCursorPos: scanout_id, x, y (u32 each). */
    static final int CURSOR_POS_SIZE = 12;
    /** The cursor picture of CURSOR_UPDATE: always 64 x 64 ARGB words. */
    static final int CURSOR_SIDE = 64;
    /** VhostUserGpuCursorUpdate: pos, hot_x, hot_y, data[64 * 64]. */
    static final int CURSOR_UPDATE_SIZE = CURSOR_POS_SIZE + 8 + CURSOR_SIDE * CURSOR_SIDE * 4;
    /** VhostUserGpuScanout: scanout_id, width, height. */
    static final int SCANOUT_SIZE = 12;
    /** VhostUserGpuUpdate without its data: scanout_id, x, y, width, height. */
    static final int UPDATE_HEADER_SIZE = 20;

    private GpuRequest() {
    }

    /** VhostUserGpuScanout; 0 x 0 disables the scanout. */
    static byte[] scanout(int scanoutId, int width, int height) {
        return le(SCANOUT_SIZE).putInt(scanoutId).putInt(width).putInt(height).array();
    }

    /** VhostUserGpuCursorPos. */
    static byte[] cursorPos(int scanoutId, int x, int y) {
        return le(CURSOR_POS_SIZE).putInt(scanoutId).putInt(x).putInt(y).array();
    }

    /**
     * VhostUserGpuCursorUpdate: the position, the hot spot, and the cursor's ARGB words in the
     * top left corner of a {@value #CURSOR_SIDE} x {@value #CURSOR_SIDE} picture (what lies
     * beyond is cut off; the rest stays transparent).
     */
    static byte[] cursorUpdate(byte[] cursorPos, CursorImage cursor) {
        ByteBuffer b = le(CURSOR_UPDATE_SIZE);
        b.put(cursorPos).putInt(cursor.hotX()).putInt(cursor.hotY());
        int w = Math.min(CURSOR_SIDE, Math.max(0, cursor.width()));
        int h = Math.min(CURSOR_SIDE, Math.max(0, cursor.height()));
        int[] argb = cursor.argb();
        int start = b.position();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * cursor.width() + x;
                if (i < argb.length) {
                    b.putInt(start + (y * CURSOR_SIDE + x) * 4, argb[i]);
                }
            }
        }
        return b.array();
    }

    static byte[] u64(long value) {
        return le(8).putLong(value).array();
    }

    static byte[] u32(int value) {
        return le(4).putInt(value).array();
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
