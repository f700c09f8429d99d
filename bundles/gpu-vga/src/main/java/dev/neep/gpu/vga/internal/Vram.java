package dev.neep.gpu.vga.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The video memory behind BAR 0: a power-of-two number of bytes, little-endian as the bus.
 * vCPU threads write it without a lock while the display tick reads it, as on hardware
 * a scanout may show a frame the guest is half-way through drawing.
 */
public final class Vram {
    public static final int MIN_SIZE = 1 << 20;
    public static final int MAX_SIZE = 1 << 30;

    private final ByteBuffer bytes;

    /**
     * @param size   a power of two from {@value #MIN_SIZE} to {@value #MAX_SIZE} bytes
     * @param direct off-heap memory, which a VMM can map into the guest without copying
     */
    public Vram(int size, boolean direct) {
        if (size < MIN_SIZE || size > MAX_SIZE || Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException("VRAM size " + size + " is not a power of two from " + MIN_SIZE
                    + " to " + MAX_SIZE + " bytes");
        }
        ByteBuffer b = direct ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
        this.bytes = b.order(ByteOrder.LITTLE_ENDIAN);
    }

    public int size() {
        return bytes.capacity();
    }

    /** The whole VRAM, for a VMM that maps BAR 0 straight into the guest: its writes then bypass {@link #write}. */
    public ByteBuffer buffer() {
        return bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** True when {@code size} bytes at {@code offset} lie inside the VRAM. */
    boolean contains(long offset, int size) {
        return offset >= 0 && offset <= bytes.capacity() - size;
    }

    /** Little-endian read of 1, 2, 4 or 8 bytes inside the VRAM. */
    long read(long offset, int size) {
        int at = (int) offset;
        return switch (size) {
            case 1 -> bytes.get(at) & 0xffL;
            case 2 -> bytes.getShort(at) & 0xffffL;
            case 4 -> bytes.getInt(at) & 0xffff_ffffL;
            case 8 -> bytes.getLong(at);
            default -> throw new IllegalArgumentException("VRAM access of " + size + " bytes (1, 2, 4 or 8)");
        };
    }

    /** Little-endian write of 1, 2, 4 or 8 bytes inside the VRAM. */
    void write(long offset, int size, long value) {
        int at = (int) offset;
        switch (size) {
            case 1 -> bytes.put(at, (byte) value);
            case 2 -> bytes.putShort(at, (short) value);
            case 4 -> bytes.putInt(at, (int) value);
            case 8 -> bytes.putLong(at, value);
            default -> throw new IllegalArgumentException("VRAM access of " + size + " bytes (1, 2, 4 or 8)");
        }
    }

    /** Copies {@code length} bytes at {@code offset} into {@code dst} at {@code dstOffset}. */
    void copyOut(long offset, byte[] dst, int dstOffset, int length) {
        bytes.get((int) offset, dst, dstOffset, length);
    }

    /** Zeroes {@code length} bytes from {@code offset}, clamped to the VRAM. */
    void clear(long offset, long length) {
        int from = (int) Math.min(Math.max(0, offset), bytes.capacity());
        int to = (int) Math.min(bytes.capacity(), Math.max(from, offset + length));
        byte[] zeros = new byte[Math.min(to - from, 1 << 16)];
        for (int at = from; at < to; at += zeros.length) {
            bytes.put(at, zeros, 0, Math.min(zeros.length, to - at));
        }
    }
}
