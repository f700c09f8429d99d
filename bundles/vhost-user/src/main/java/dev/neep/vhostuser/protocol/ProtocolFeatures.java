package dev.neep.vhostuser.protocol;

/** VHOST_USER_PROTOCOL_F_* bit numbers, and the set this back-end offers. */
public final class ProtocolFeatures {
    public static final int MQ = 0;
    public static final int REPLY_ACK = 3;
    public static final int BACKEND_REQ = 5;
    public static final int CONFIG = 9;
    public static final int RESET_DEVICE = 13;
    public static final int CONFIGURE_MEM_SLOTS = 15;

    /**
     * What this back-end implements: the queue count query, acknowledged requests, the
     * back-end channel (used for config-change notices), config space access, device reset
     * and memory slots. Not logging (no migration), in-band notifications, inflight
     * tracking or status.
     */
    public static final long OFFERED = bit(MQ) | bit(REPLY_ACK) | bit(BACKEND_REQ) | bit(CONFIG)
            | bit(RESET_DEVICE) | bit(CONFIGURE_MEM_SLOTS);

    private ProtocolFeatures() {
    }

    public static long bit(int bit) {
        return 1L << bit;
    }

    public static boolean has(long features, int bit) {
        return (features & bit(bit)) != 0;
    }
}
