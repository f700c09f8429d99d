package dev.neep.virtio.pci.internal;

/**
 * 256 bytes of PCI configuration space with a write mask per byte: a written bit lands
 * only where its mask bit is one, so read-only fields keep their values and a BAR's
 * low bits (its size) read back as zero after the all-ones sizing write. Not thread-safe;
 * the function locks around it.
 */
public final class ConfigSpace {
    public static final int SIZE = 256;

    private final byte[] bytes = new byte[SIZE];
    private final byte[] writable = new byte[SIZE];

    /** Little-endian read of {@code size} bytes; bytes past the end read as zero. */
    public int read(int offset, int size) {
        int value = 0;
        for (int i = 0; i < size; i++) {
            int at = offset + i;
            if (at >= 0 && at < SIZE) {
                value |= (bytes[at] & 0xff) << (8 * i);
            }
        }
        return value;
    }

    /** A driver's write: only the writable bits change; bytes past the end are dropped. */
    public void write(int offset, int size, int value) {
        for (int i = 0; i < size; i++) {
            int at = offset + i;
            if (at >= 0 && at < SIZE) {
                byte v = (byte) (value >>> (8 * i));
                bytes[at] = (byte) ((bytes[at] & ~writable[at]) | (v & writable[at]));
            }
        }
    }

    /** Sets a field's value regardless of its mask (the function's own updates). */
    public void set(int offset, int size, long value) {
        for (int i = 0; i < size; i++) {
            bytes[offset + i] = (byte) (value >>> (8 * i));
        }
    }

    /** Declares which bits of a field the driver may write. */
    public void setWritable(int offset, int size, long mask) {
        for (int i = 0; i < size; i++) {
            writable[offset + i] = (byte) (mask >>> (8 * i));
        }
    }

    /** True when {@code [offset, offset + size)} and {@code [field, field + fieldSize)} share a byte. */
    public static boolean overlaps(int offset, int size, int field, int fieldSize) {
        return offset < field + fieldSize && field < offset + size;
    }
}
