package dev.neep.virtio.driver;

/**
 * One buffer of a descriptor chain as the driver describes it: {@code addr}, {@code len}
 * and the VIRTQ_DESC_F_WRITE flag. Nothing is checked against guest memory, so tests
 * can describe the buffers a device must refuse.
 */
public record Segment(long gpa, long length, boolean writable) {

    public Segment {
        if (length < 0 || length > 0xffffffffL) {
            throw new IllegalArgumentException("length=" + length + " does not fit the 32-bit len field");
        }
    }

    /** A buffer the device reads. */
    public static Segment readable(long gpa, long length) {
        return new Segment(gpa, length, false);
    }

    /** A buffer the device writes. */
    public static Segment writable(long gpa, long length) {
        return new Segment(gpa, length, true);
    }
}
