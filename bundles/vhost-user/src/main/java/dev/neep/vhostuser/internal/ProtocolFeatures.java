package dev.neep.vhostuser.internal;

/** VHOST_USER_PROTOCOL_F_* bit numbers, and the set this back-end offers. */
final class ProtocolFeatures {
    static final int MQ = 0;
    static final int REPLY_ACK = 3;
    static final int BACKEND_REQ = 5;
    static final int CONFIG = 9;
    static final int RESET_DEVICE = 13;
    static final int CONFIGURE_MEM_SLOTS = 15;

    /**
     * What this back-end implements: the queue count query, acknowledged requests, the
     * back-end channel (used for config-change notices), config space access, device reset
     * and memory slots. Not logging (no migration), in-band notifications, inflight
     * tracking or status.
     */
    static final long OFFERED = bit(MQ) | bit(REPLY_ACK) | bit(BACKEND_REQ) | bit(CONFIG)
            | bit(RESET_DEVICE) | bit(CONFIGURE_MEM_SLOTS);

    private ProtocolFeatures() {
    }

    static long bit(int bit) {
        return 1L << bit;
    }

    static boolean has(long features, int bit) {
        return (features & bit(bit)) != 0;
    }
}
