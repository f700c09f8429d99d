package dev.neep.virtio;

/**
 * An access outside guest memory. A guest mistake, not a host fault: the queue layer
 * and the device turn it into an error answer (a chain refused, ERR_INVALID_PARAMETER).
 */
public final class GuestMemoryException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final long gpa;
    private final long length;

    public GuestMemoryException(long gpa, long length, String why) {
        super(String.format("guest memory access gpa=0x%x length=%d: %s", gpa, length, why));
        this.gpa = gpa;
        this.length = length;
    }

    public long gpa() {
        return gpa;
    }

    public long length() {
        return length;
    }
}
