package dev.neep.virtio;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * One run of guest-physical addresses, {@code [guestPhysAddr, guestPhysAddr + size)},
 * backed by consecutive host buffers.
 *
 * <p>A {@link ByteBuffer} indexes with an {@code int}, so a region larger than 2 GiB
 * is a list of pieces; each piece holds at most {@link #MAX_PIECE} bytes, which keeps
 * every offset-plus-length sum inside a piece far from {@code int} overflow. The pieces
 * are taken from their position to their limit; the record keeps little-endian slices
 * of them, so later changes to the caller's buffers' positions do not matter.
 *
 * <p>{@code owner} is closed when the region is removed from a {@link RegionGuestMemory}
 * (an munmap of the file the pieces map, for one); {@link #NO_OWNER} for memory the
 * garbage collector frees.
 *
 * <p>Two regions are equal only when they are the same object: comparing or hashing
 * gigabytes of buffer content, which {@link ByteBuffer#equals} would do, is never wanted.
 */
public record MemoryRegion(long guestPhysAddr, long size, List<ByteBuffer> pieces, AutoCloseable owner) {

    /** The largest piece: 1 GiB. */
    public static final int MAX_PIECE = 1 << 30;

    /** An owner with nothing to release. */
    public static final AutoCloseable NO_OWNER = () -> { };

    public MemoryRegion {
        if (guestPhysAddr < 0) {
            throw new IllegalArgumentException("guestPhysAddr=0x" + Long.toHexString(guestPhysAddr) + " is negative");
        }
        if (size <= 0) {
            throw new IllegalArgumentException("size=" + size + " is not positive");
        }
        if (guestPhysAddr > Long.MAX_VALUE - size) {
            throw new IllegalArgumentException(String.format("guestPhysAddr=0x%x + size=%d overflows", guestPhysAddr, size));
        }
        if (owner == null) {
            throw new IllegalArgumentException("owner is null; use NO_OWNER");
        }
        List<ByteBuffer> normalized = new ArrayList<>(pieces.size());
        long total = 0;
        for (int i = 0; i < pieces.size(); i++) {
            ByteBuffer piece = pieces.get(i);
            if (piece.isReadOnly()) {
                throw new IllegalArgumentException("pieces[" + i + "] is read-only");
            }
            if (piece.remaining() == 0 || piece.remaining() > MAX_PIECE) {
                throw new IllegalArgumentException("pieces[" + i + "] holds " + piece.remaining()
                        + " bytes, not 1.." + MAX_PIECE);
            }
            normalized.add(piece.slice().order(ByteOrder.LITTLE_ENDIAN));
            total += piece.remaining();
        }
        if (total != size) {
            throw new IllegalArgumentException("pieces hold " + total + " bytes, size=" + size);
        }
        pieces = List.copyOf(normalized);
    }

    /** A region the garbage collector frees. */
    public MemoryRegion(long guestPhysAddr, long size, List<ByteBuffer> pieces) {
        this(guestPhysAddr, size, pieces, NO_OWNER);
    }

    /** One past the last guest-physical address of the region. */
    public long end() {
        return guestPhysAddr + size;
    }

    @Override
    public boolean equals(Object other) {
        return this == other;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }

    @Override
    public String toString() {
        return String.format("MemoryRegion[gpa=0x%x, size=%d, pieces=%d]", guestPhysAddr, size, pieces.size());
    }
}
