package dev.neep.vhostuser.internal;

/**
 * Message ids of the vhost-user-gpu display channel (QEMU docs/interop/vhost-user-gpu.rst),
 * the socket the front end hands over with GPU_SET_SOCKET. The back-end sends requests;
 * the front end answers only the GET_* ones (flag {@link MessageHeader#REPLY}).
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
}
