package dev.neep.vhostuser.protocol;

/** VHOST_USER_PROTOCOL_F_* bit numbers, and the set this back-end offers. */
public final class ProtocolFeatures {
    public static final int MQ = 0;
    public static final int REPLY_ACK = 3;
    public static final int BACKEND_REQ = 5;
    public static final int CONFIG = 9;
    /** Back-end requests may carry descriptors (SCM_RIGHTS), as BACKEND_SHMEM_MAP does. */
    public static final int BACKEND_SEND_FD = 10;
    public static final int RESET_DEVICE = 13;
    public static final int CONFIGURE_MEM_SLOTS = 15;
    /** VIRTIO shared memory regions: GET_SHMEM_CONFIG and the back-end requests BACKEND_SHMEM_MAP / _UNMAP. */
    public static final int SHMEM = 22;

    /**
     * What this back-end implements: the queue count query, acknowledged requests, the
     * back-end channel (config-change notices, and shared memory mappings with their
     * descriptors), config space access, device reset, memory slots and shared memory
     * regions. Not logging (no migration), in-band notifications, inflight tracking or
     * status. A session offers SHMEM only for a device that asks for regions.
     */
    public static final long OFFERED = bit(MQ) | bit(REPLY_ACK) | bit(BACKEND_REQ) | bit(CONFIG)
            | bit(BACKEND_SEND_FD) | bit(RESET_DEVICE) | bit(CONFIGURE_MEM_SLOTS) | bit(SHMEM);

    private ProtocolFeatures() {
    }

    public static long bit(int bit) {
        return 1L << bit;
    }

    public static boolean has(long features, int bit) {
        return (features & bit(bit)) != 0;
    }
}
