package dev.neep.gpu.protocol;

/**
 * {@code enum virtio_gpu_ctrl_type} (virtio 1.3 §5.7.6.7): the {@code type} of every control
 * header, both commands and responses. Kept as {@code int} constants because the guest may send
 * any 32-bit value and the device has to answer unknown ones, not fail to represent them.
 */
public final class CtrlType {
    public static final int UNDEFINED = 0;

    // 2D commands
    public static final int CMD_GET_DISPLAY_INFO = 0x0100;
    public static final int CMD_RESOURCE_CREATE_2D = 0x0101;
    public static final int CMD_RESOURCE_UNREF = 0x0102;
    public static final int CMD_SET_SCANOUT = 0x0103;
    public static final int CMD_RESOURCE_FLUSH = 0x0104;
    public static final int CMD_TRANSFER_TO_HOST_2D = 0x0105;
    public static final int CMD_RESOURCE_ATTACH_BACKING = 0x0106;
    public static final int CMD_RESOURCE_DETACH_BACKING = 0x0107;
    public static final int CMD_GET_CAPSET_INFO = 0x0108;
    public static final int CMD_GET_CAPSET = 0x0109;
    public static final int CMD_GET_EDID = 0x010a;
    public static final int CMD_RESOURCE_ASSIGN_UUID = 0x010b;
    public static final int CMD_RESOURCE_CREATE_BLOB = 0x010c;
    public static final int CMD_SET_SCANOUT_BLOB = 0x010d;

    // 3D commands
    public static final int CMD_CTX_CREATE = 0x0200;
    public static final int CMD_CTX_DESTROY = 0x0201;
    public static final int CMD_CTX_ATTACH_RESOURCE = 0x0202;
    public static final int CMD_CTX_DETACH_RESOURCE = 0x0203;
    public static final int CMD_RESOURCE_CREATE_3D = 0x0204;
    public static final int CMD_TRANSFER_TO_HOST_3D = 0x0205;
    public static final int CMD_TRANSFER_FROM_HOST_3D = 0x0206;
    public static final int CMD_SUBMIT_3D = 0x0207;
    public static final int CMD_RESOURCE_MAP_BLOB = 0x0208;
    public static final int CMD_RESOURCE_UNMAP_BLOB = 0x0209;

    // cursor commands
    public static final int CMD_UPDATE_CURSOR = 0x0300;
    public static final int CMD_MOVE_CURSOR = 0x0301;

    // success responses
    public static final int RESP_OK_NODATA = 0x1100;
    public static final int RESP_OK_DISPLAY_INFO = 0x1101;
    public static final int RESP_OK_CAPSET_INFO = 0x1102;
    public static final int RESP_OK_CAPSET = 0x1103;
    public static final int RESP_OK_EDID = 0x1104;
    public static final int RESP_OK_RESOURCE_UUID = 0x1105;
    public static final int RESP_OK_MAP_INFO = 0x1106;

    // error responses
    public static final int RESP_ERR_UNSPEC = 0x1200;
    public static final int RESP_ERR_OUT_OF_MEMORY = 0x1201;
    public static final int RESP_ERR_INVALID_SCANOUT_ID = 0x1202;
    public static final int RESP_ERR_INVALID_RESOURCE_ID = 0x1203;
    public static final int RESP_ERR_INVALID_CONTEXT_ID = 0x1204;
    public static final int RESP_ERR_INVALID_PARAMETER = 0x1205;

    private CtrlType() {
    }

    /** True for the 0x1100 range. */
    public static boolean isOk(int type) {
        return type >= RESP_OK_NODATA && type <= RESP_OK_MAP_INFO;
    }

    /** True for the 0x1200 range. */
    public static boolean isError(int type) {
        return type >= RESP_ERR_UNSPEC && type <= RESP_ERR_INVALID_PARAMETER;
    }

    /**
     * The spec name without the {@code VIRTIO_GPU_} prefix, e.g. {@code CMD_SET_SCANOUT}; for a
     * value the spec does not define, {@code UNKNOWN(0x...)} so logs still show what came in.
     */
    public static String name(int type) {
        switch (type) {
            case UNDEFINED: return "UNDEFINED";
            case CMD_GET_DISPLAY_INFO: return "CMD_GET_DISPLAY_INFO";
            case CMD_RESOURCE_CREATE_2D: return "CMD_RESOURCE_CREATE_2D";
            case CMD_RESOURCE_UNREF: return "CMD_RESOURCE_UNREF";
            case CMD_SET_SCANOUT: return "CMD_SET_SCANOUT";
            case CMD_RESOURCE_FLUSH: return "CMD_RESOURCE_FLUSH";
            case CMD_TRANSFER_TO_HOST_2D: return "CMD_TRANSFER_TO_HOST_2D";
            case CMD_RESOURCE_ATTACH_BACKING: return "CMD_RESOURCE_ATTACH_BACKING";
            case CMD_RESOURCE_DETACH_BACKING: return "CMD_RESOURCE_DETACH_BACKING";
            case CMD_GET_CAPSET_INFO: return "CMD_GET_CAPSET_INFO";
            case CMD_GET_CAPSET: return "CMD_GET_CAPSET";
            case CMD_GET_EDID: return "CMD_GET_EDID";
            case CMD_RESOURCE_ASSIGN_UUID: return "CMD_RESOURCE_ASSIGN_UUID";
            case CMD_RESOURCE_CREATE_BLOB: return "CMD_RESOURCE_CREATE_BLOB";
            case CMD_SET_SCANOUT_BLOB: return "CMD_SET_SCANOUT_BLOB";
            case CMD_CTX_CREATE: return "CMD_CTX_CREATE";
            case CMD_CTX_DESTROY: return "CMD_CTX_DESTROY";
            case CMD_CTX_ATTACH_RESOURCE: return "CMD_CTX_ATTACH_RESOURCE";
            case CMD_CTX_DETACH_RESOURCE: return "CMD_CTX_DETACH_RESOURCE";
            case CMD_RESOURCE_CREATE_3D: return "CMD_RESOURCE_CREATE_3D";
            case CMD_TRANSFER_TO_HOST_3D: return "CMD_TRANSFER_TO_HOST_3D";
            case CMD_TRANSFER_FROM_HOST_3D: return "CMD_TRANSFER_FROM_HOST_3D";
            case CMD_SUBMIT_3D: return "CMD_SUBMIT_3D";
            case CMD_RESOURCE_MAP_BLOB: return "CMD_RESOURCE_MAP_BLOB";
            case CMD_RESOURCE_UNMAP_BLOB: return "CMD_RESOURCE_UNMAP_BLOB";
            case CMD_UPDATE_CURSOR: return "CMD_UPDATE_CURSOR";
            case CMD_MOVE_CURSOR: return "CMD_MOVE_CURSOR";
            case RESP_OK_NODATA: return "RESP_OK_NODATA";
            case RESP_OK_DISPLAY_INFO: return "RESP_OK_DISPLAY_INFO";
            case RESP_OK_CAPSET_INFO: return "RESP_OK_CAPSET_INFO";
            case RESP_OK_CAPSET: return "RESP_OK_CAPSET";
            case RESP_OK_EDID: return "RESP_OK_EDID";
            case RESP_OK_RESOURCE_UUID: return "RESP_OK_RESOURCE_UUID";
            case RESP_OK_MAP_INFO: return "RESP_OK_MAP_INFO";
            case RESP_ERR_UNSPEC: return "RESP_ERR_UNSPEC";
            case RESP_ERR_OUT_OF_MEMORY: return "RESP_ERR_OUT_OF_MEMORY";
            case RESP_ERR_INVALID_SCANOUT_ID: return "RESP_ERR_INVALID_SCANOUT_ID";
            case RESP_ERR_INVALID_RESOURCE_ID: return "RESP_ERR_INVALID_RESOURCE_ID";
            case RESP_ERR_INVALID_CONTEXT_ID: return "RESP_ERR_INVALID_CONTEXT_ID";
            case RESP_ERR_INVALID_PARAMETER: return "RESP_ERR_INVALID_PARAMETER";
            default: return "UNKNOWN(0x" + Integer.toHexString(type) + ")";
        }
    }
}
