package dev.neep.virtio;

/**
 * A queue configuration the device refuses (virtio 1.2 §2.7: size not a power of two,
 * a ring misaligned or outside guest memory). The transport answers it the spec's way,
 * for one by not enabling the queue or by setting DEVICE_NEEDS_RESET.
 */
public final class InvalidQueueException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String field;
    private final long value;

    public InvalidQueueException(int queueIndex, String field, long value, String why) {
        super(String.format("virtqueue %d: %s=%d (0x%x): %s", queueIndex, field, value, value, why));
        this.field = field;
        this.value = value;
    }

    /** The refused setting: {@code size}, {@code descTable}, {@code availRing} or {@code usedRing}. */
    public String field() {
        return field;
    }

    public long value() {
        return value;
    }
}
