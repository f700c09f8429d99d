package dev.neep.virtio;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.locks.StampedLock;

/**
 * Guest memory made of {@link MemoryRegion}s that a transport adds and removes while
 * the device runs (vhost-user SET_MEM_TABLE, ADD_MEM_REG, REM_MEM_REG).
 *
 * <p>Every access holds a read lock for its whole duration and every change the write
 * lock, so a region's owner (an munmap) is never closed under an access in progress.
 * The lock is not reentrant: an owner's {@code close()} must not call back into this
 * memory. Views from {@link #slices} are not covered: they are valid only until their
 * region is removed, which the transport orders against the device's work.
 *
 * <p>An access may span regions and pieces that are adjacent in guest-physical
 * addresses. Scalars that straddle a piece boundary are assembled byte by byte, so
 * they are not single-copy atomic; naturally aligned ring fields never straddle one
 * while regions and pieces are multiples of 8 bytes, as page-sized ones are.
 */
public final class RegionGuestMemory implements GuestMemory {

    private final StampedLock lock = new StampedLock();

    // Replaced, never mutated, under the write lock. Chunk i is the piece covering
    // [chunkStarts[i], chunkStarts[i] + chunks[i].capacity()), chunks sorted by address.
    private List<MemoryRegion> regions = List.of();
    private long[] chunkStarts = new long[0];
    private ByteBuffer[] chunks = new ByteBuffer[0];

    /** Adds a region; it must not overlap any region already present. */
    public void add(MemoryRegion region) {
        long stamp = lock.writeLock();
        try {
            for (MemoryRegion present : regions) {
                if (region.guestPhysAddr() < present.end() && present.guestPhysAddr() < region.end()) {
                    throw new IllegalArgumentException(region + " overlaps " + present);
                }
            }
            List<MemoryRegion> next = new ArrayList<>(regions);
            next.add(region);
            install(next);
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    /**
     * Removes the region that starts at {@code guestPhysAddr} and closes its owner.
     *
     * @return false when no region starts there
     * @throws IllegalStateException when the owner fails to close; the region is removed anyway
     */
    public boolean remove(long guestPhysAddr) {
        MemoryRegion removed = null;
        long stamp = lock.writeLock();
        try {
            List<MemoryRegion> next = new ArrayList<>(regions);
            for (MemoryRegion region : regions) {
                if (region.guestPhysAddr() == guestPhysAddr) {
                    removed = region;
                    next.remove(region);
                    install(next);
                    closeOwner(region);
                    break;
                }
            }
        } finally {
            lock.unlockWrite(stamp);
        }
        return removed != null;
    }

    /**
     * Removes every region and closes every owner.
     *
     * @throws IllegalStateException for the first owner that fails to close, the others' failures suppressed
     */
    public void clear() {
        long stamp = lock.writeLock();
        try {
            List<MemoryRegion> old = regions;
            install(List.of());
            IllegalStateException failure = null;
            for (MemoryRegion region : old) {
                try {
                    closeOwner(region);
                } catch (IllegalStateException e) {
                    if (failure == null) {
                        failure = e;
                    } else {
                        failure.addSuppressed(e);
                    }
                }
            }
            if (failure != null) {
                throw failure;
            }
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    /** The regions, sorted by guest-physical address. */
    public List<MemoryRegion> regions() {
        long stamp = lock.readLock();
        try {
            return regions;
        } finally {
            lock.unlockRead(stamp);
        }
    }

    @Override
    public boolean contains(long gpa, long length) {
        long stamp = lock.readLock();
        try {
            return firstChunk(gpa, length) >= 0;
        } finally {
            lock.unlockRead(stamp);
        }
    }

    @Override
    public byte readByte(long gpa) {
        return (byte) readScalar(gpa, Byte.BYTES);
    }

    @Override
    public short readShort(long gpa) {
        return (short) readScalar(gpa, Short.BYTES);
    }

    @Override
    public int readInt(long gpa) {
        return (int) readScalar(gpa, Integer.BYTES);
    }

    @Override
    public long readLong(long gpa) {
        return readScalar(gpa, Long.BYTES);
    }

    @Override
    public void writeByte(long gpa, byte value) {
        writeScalar(gpa, Byte.BYTES, value);
    }

    @Override
    public void writeShort(long gpa, short value) {
        writeScalar(gpa, Short.BYTES, value);
    }

    @Override
    public void writeInt(long gpa, int value) {
        writeScalar(gpa, Integer.BYTES, value);
    }

    @Override
    public void writeLong(long gpa, long value) {
        writeScalar(gpa, Long.BYTES, value);
    }

    @Override
    public void read(long gpa, ByteBuffer dst) {
        forEachPiece(gpa, dst.remaining(), (chunk, offset, length) -> {
            dst.put(dst.position(), chunk, offset, length);
            dst.position(dst.position() + length);
        });
    }

    @Override
    public void write(long gpa, ByteBuffer src) {
        forEachPiece(gpa, src.remaining(), (chunk, offset, length) -> {
            chunk.put(offset, src, src.position(), length);
            src.position(src.position() + length);
        });
    }

    @Override
    public List<ByteBuffer> slices(long gpa, long length) {
        List<ByteBuffer> views = new ArrayList<>();
        forEachPiece(gpa, length,
                (chunk, offset, n) -> views.add(chunk.slice(offset, n).order(ByteOrder.LITTLE_ENDIAN)));
        return views;
    }

    @Override
    public String toString() {
        return "RegionGuestMemory" + regions();
    }

    private void install(List<MemoryRegion> next) {
        List<MemoryRegion> sorted = new ArrayList<>(next);
        sorted.sort(Comparator.comparingLong(MemoryRegion::guestPhysAddr));
        int count = sorted.stream().mapToInt(r -> r.pieces().size()).sum();
        long[] starts = new long[count];
        ByteBuffer[] buffers = new ByteBuffer[count];
        int i = 0;
        for (MemoryRegion region : sorted) {
            long at = region.guestPhysAddr();
            for (ByteBuffer piece : region.pieces()) {
                starts[i] = at;
                buffers[i] = piece;
                at += piece.capacity();
                i++;
            }
        }
        regions = List.copyOf(sorted);
        chunkStarts = starts;
        chunks = buffers;
    }

    private static void closeOwner(MemoryRegion region) {
        try {
            region.owner().close();
        } catch (Exception e) {
            throw new IllegalStateException("closing the owner of " + region + " failed", e);
        }
    }

    /**
     * Index of the chunk holding {@code gpa} when {@code [gpa, gpa + length)} lies wholly
     * in adjacent chunks, else -1. An empty range counts when {@code gpa} lies inside a
     * region or at its end. Call with the read lock held.
     */
    private int firstChunk(long gpa, long length) {
        if (length < 0 || gpa < 0 || gpa > Long.MAX_VALUE - length) {
            return -1;
        }
        if (length == 0) {
            return chunkHolding(gpa) >= 0 || (gpa > 0 && chunkHolding(gpa - 1) >= 0) ? 0 : -1;
        }
        int first = chunkHolding(gpa);
        if (first < 0) {
            return -1;
        }
        long end = gpa + length;
        int i = first;
        long covered = chunkStarts[i] + chunks[i].capacity();
        while (covered < end) {
            i++;
            if (i == chunks.length || chunkStarts[i] != covered) {
                return -1;
            }
            covered += chunks[i].capacity();
        }
        return first;
    }

    private int chunkHolding(long gpa) {
        int low = 0;
        int high = chunkStarts.length - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            if (chunkStarts[mid] <= gpa) {
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        // high is now the last chunk starting at or below gpa
        return high >= 0 && gpa - chunkStarts[high] < chunks[high].capacity() ? high : -1;
    }

    private int locate(long gpa, long length) {
        int first = firstChunk(gpa, length);
        if (first < 0) {
            throw new GuestMemoryException(gpa, length, length < 0 ? "negative length" : "not wholly inside guest memory");
        }
        return first;
    }

    private long readScalar(long gpa, int size) {
        long stamp = lock.readLock();
        try {
            int i = locate(gpa, size);
            ByteBuffer chunk = chunks[i];
            int offset = (int) (gpa - chunkStarts[i]);
            if (chunk.capacity() - offset >= size) {
                switch (size) {
                    case Byte.BYTES: return chunk.get(offset);
                    case Short.BYTES: return chunk.getShort(offset);
                    case Integer.BYTES: return chunk.getInt(offset);
                    default: return chunk.getLong(offset);
                }
            }
            long value = 0;
            for (int k = 0; k < size; k++) {
                if (offset == chunk.capacity()) {
                    chunk = chunks[++i];
                    offset = 0;
                }
                value |= (chunk.get(offset++) & 0xffL) << (8 * k);
            }
            return value;
        } finally {
            lock.unlockRead(stamp);
        }
    }

    private void writeScalar(long gpa, int size, long value) {
        long stamp = lock.readLock();
        try {
            int i = locate(gpa, size);
            ByteBuffer chunk = chunks[i];
            int offset = (int) (gpa - chunkStarts[i]);
            if (chunk.capacity() - offset >= size) {
                switch (size) {
                    case Byte.BYTES: chunk.put(offset, (byte) value); break;
                    case Short.BYTES: chunk.putShort(offset, (short) value); break;
                    case Integer.BYTES: chunk.putInt(offset, (int) value); break;
                    default: chunk.putLong(offset, value); break;
                }
                return;
            }
            for (int k = 0; k < size; k++) {
                if (offset == chunk.capacity()) {
                    chunk = chunks[++i];
                    offset = 0;
                }
                chunk.put(offset++, (byte) (value >>> (8 * k)));
            }
        } finally {
            lock.unlockRead(stamp);
        }
    }

    @FunctionalInterface
    private interface PieceAction {
        void apply(ByteBuffer chunk, int offset, int length);
    }

    /** Checks the whole range first, then visits it piece by piece, under one read lock. */
    private void forEachPiece(long gpa, long length, PieceAction action) {
        long stamp = lock.readLock();
        try {
            int i = locate(gpa, length);
            long at = gpa;
            long left = length;
            while (left > 0) {
                ByteBuffer chunk = chunks[i];
                int offset = (int) (at - chunkStarts[i]);
                int n = (int) Math.min(left, chunk.capacity() - offset);
                action.apply(chunk, offset, n);
                at += n;
                left -= n;
                i++;
            }
        } finally {
            lock.unlockRead(stamp);
        }
    }
}
