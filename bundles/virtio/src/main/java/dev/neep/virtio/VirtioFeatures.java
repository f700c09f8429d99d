package dev.neep.virtio;

/**
 * Transport feature bit numbers (virtio 1.2 §6: "Reserved Feature Bits"), the bits a
 * device offers beside its own (bits 0..23). Device-specific bits live with their
 * device ({@code GpuFeatures}).
 */
public final class VirtioFeatures {

    /** Legacy: notify when the available ring runs empty even with notifications off. */
    public static final int VIRTIO_F_NOTIFY_ON_EMPTY = 24;
    /** Legacy: the driver may lay out message framing freely; implied by VERSION_1. */
    public static final int VIRTIO_F_ANY_LAYOUT = 27;
    /** Descriptors with VIRTQ_DESC_F_INDIRECT (§2.7.5.3). */
    public static final int VIRTIO_RING_F_INDIRECT_DESC = 28;
    /** used_event / avail_event notification suppression (§2.7.10). */
    public static final int VIRTIO_RING_F_EVENT_IDX = 29;
    /** A virtio 1.x device: modern layout, little-endian. */
    public static final int VIRTIO_F_VERSION_1 = 32;
    /** The device sits behind an IOMMU / platform-specific address translation. */
    public static final int VIRTIO_F_ACCESS_PLATFORM = 33;
    /** Packed virtqueues (§2.8). */
    public static final int VIRTIO_F_RING_PACKED = 34;
    /** Buffers are used in the order they were made available. */
    public static final int VIRTIO_F_IN_ORDER = 35;
    /** Memory accesses are ordered as the platform requires for real hardware. */
    public static final int VIRTIO_F_ORDER_PLATFORM = 36;
    /** Single-root I/O virtualization. */
    public static final int VIRTIO_F_SR_IOV = 37;
    /** The driver passes extra data with its notifications. */
    public static final int VIRTIO_F_NOTIFICATION_DATA = 38;
    /** Notifications name the queue by the device's queue_notify_data instead of its index. */
    public static final int VIRTIO_F_NOTIF_CONFIG_DATA = 39;
    /** Queues can be reset one by one. */
    public static final int VIRTIO_F_RING_RESET = 40;

    private VirtioFeatures() {
    }

    /** The mask of feature bit {@code bit}. */
    public static long bit(int bit) {
        if (bit < 0 || bit > 63) {
            throw new IllegalArgumentException("feature bit " + bit + " is not 0..63");
        }
        return 1L << bit;
    }

    /** True when {@code features} has bit {@code bit} set. */
    public static boolean has(long features, int bit) {
        return (features & bit(bit)) != 0;
    }
}
