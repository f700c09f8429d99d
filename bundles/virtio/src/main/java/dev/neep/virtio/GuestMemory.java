package dev.neep.virtio;

import java.nio.ByteBuffer;
import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Guest-physical memory as the device sees it: a set of regions, each a run of
 * guest-physical addresses backed by host memory.
 *
 * <p>Every access is bounds-checked at the moment it happens, with overflow-safe
 * address arithmetic: an access that is not wholly inside one or more adjacent
 * regions throws {@link GuestMemoryException} naming the address and the length, and
 * touches nothing. Multi-byte values are little-endian, as virtio 1.x requires.
 *
 * <p>Implementations are safe for concurrent use by several threads; the regions of
 * a transport whose memory table changes (vhost-user ADD_MEM_REG) may change
 * between two accesses, never during one.
 */
@ConsumerType
public interface GuestMemory {

    /** True when {@code [gpa, gpa + length)} lies wholly in guest memory. */
    boolean contains(long gpa, long length);

    byte readByte(long gpa);

    short readShort(long gpa);

    int readInt(long gpa);

    long readLong(long gpa);

    void writeByte(long gpa, byte value);

    void writeShort(long gpa, short value);

    void writeInt(long gpa, int value);

    void writeLong(long gpa, long value);

    /** Copies {@code dst.remaining()} bytes from {@code gpa} into {@code dst}, advancing it. */
    void read(long gpa, ByteBuffer dst);

    /** Copies {@code src.remaining()} bytes from {@code src} to {@code gpa}, advancing it. */
    void write(long gpa, ByteBuffer src);

    /**
     * Views of the host memory behind {@code [gpa, gpa + length)}, in address order:
     * one buffer per contiguous host piece (more than one where the range crosses a
     * region or a piece of at most {@link MemoryRegion#MAX_PIECE} bytes). Each view has
     * position 0, limit equal to its length and little-endian order; writes through it
     * reach guest memory. A view is valid until the region it lies in is removed.
     */
    List<ByteBuffer> slices(long gpa, long length);

    /** Release fences before a store the other side polls (the used index, for one). */
    default void storeFence() {
        java.lang.invoke.VarHandle.releaseFence();
    }
}
