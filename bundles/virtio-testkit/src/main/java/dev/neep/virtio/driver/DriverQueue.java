package dev.neep.virtio.driver;

import dev.neep.virtio.GuestMemory;
import dev.neep.virtio.Virtq;
import dev.neep.virtio.Virtqueue;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The driver side of one split virtqueue (virtio 1.2 §2.7), working on guest memory as
 * a guest's virtio driver does.
 *
 * <p>The constructor zeroes the three rings at the addresses given, as a driver does
 * before it tells the device where they are. {@link #add} and {@link #addIndirect} write
 * a chain's descriptors, put its head in the available ring and publish the new
 * available index behind a release fence; {@link #submit} and {@link #submitIndirect}
 * do the same for request bytes and response lengths, placing the buffers with a
 * {@link GuestAllocator}. {@link #pollUsed} reads the used ring and frees what the
 * chain held. {@link #kickNeeded} decides, as a driver does, whether the device asked
 * to be notified.
 *
 * <p>Descriptors are written exactly as described, unchecked against guest memory, and
 * the raw methods ({@link #writeDescriptor}, {@link #publish}, {@link #setAvailIndex})
 * build what no correct driver would: a test uses them on descriptors it keeps away
 * from {@link #add} (by adding nothing else, or only after the raw chain came back).
 *
 * <p>Thread-safe: the methods that change driver state are synchronized.
 */
public final class DriverQueue {

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();
    private static final int NONE = -1;

    private final GuestMemory memory;
    private final int size;
    private final long descTable;
    private final long availRing;
    private final long usedRing;
    private final boolean eventIdx;

    // Free descriptors, linked through freeNext as a driver links them through desc.next.
    private final int[] freeNext;
    private int freeHead;
    private int numFree;
    private final Map<Integer, Outstanding> outstanding = new HashMap<>();

    private int availIdx;
    private int kickedIdx;
    private int lastUsed;

    /** What a published chain holds until it comes back. */
    private record Outstanding(int[] descriptors, GuestAllocator allocator, long[] allocations,
            List<Segment> responseBuffers) {
    }

    /**
     * @param eventIdx whether VIRTIO_RING_F_EVENT_IDX was negotiated
     * @throws IllegalArgumentException when the size or a ring address breaks §2.7, or a
     *                                  ring is not wholly in guest memory
     */
    public DriverQueue(GuestMemory memory, int size, long descTable, long availRing, long usedRing,
            boolean eventIdx) {
        if (size < 1 || size > Virtqueue.MAX_SIZE || Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException("size=" + size + " is not a power of two in 1.." + Virtqueue.MAX_SIZE);
        }
        this.memory = memory;
        this.size = size;
        this.descTable = zeroedRing("descTable", descTable, Virtq.DESC_ALIGN, Virtq.descTableSize(size));
        this.availRing = zeroedRing("availRing", availRing, Virtq.AVAIL_ALIGN, Virtq.availRingSize(size));
        this.usedRing = zeroedRing("usedRing", usedRing, Virtq.USED_ALIGN, Virtq.usedRingSize(size));
        this.eventIdx = eventIdx;
        this.freeNext = new int[size];
        for (int i = 0; i < size; i++) {
            freeNext[i] = i + 1 < size ? i + 1 : NONE;
        }
        this.freeHead = 0;
        this.numFree = size;
    }

    /**
     * A queue whose rings follow one another from {@code base} (rounded up to 16): the
     * descriptor table, the available ring, the used ring (aligned to 4). {@link #end()}
     * is the first address after them.
     */
    public static DriverQueue contiguous(GuestMemory memory, int size, long base, boolean eventIdx) {
        long desc = alignUp(base, Virtq.DESC_ALIGN);
        long avail = desc + Virtq.descTableSize(size);
        long used = alignUp(avail + Virtq.availRingSize(size), Virtq.USED_ALIGN);
        return new DriverQueue(memory, size, desc, avail, used, eventIdx);
    }

    private static long alignUp(long address, int alignment) {
        return Math.addExact(address, alignment - 1) & -alignment;
    }

    private long zeroedRing(String field, long address, int alignment, long length) {
        if ((address & (alignment - 1)) != 0 || !memory.contains(address, length)) {
            throw new IllegalArgumentException(String.format(
                    "%s=0x%x: not aligned to %d or its %d bytes not wholly in guest memory",
                    field, address, alignment, length));
        }
        memory.write(address, ByteBuffer.allocate((int) length));
        return address;
    }

    public int size() {
        return size;
    }

    public long descTable() {
        return descTable;
    }

    public long availRing() {
        return availRing;
    }

    public long usedRing() {
        return usedRing;
    }

    /** The first address after the used ring. */
    public long end() {
        return usedRing + Virtq.usedRingSize(size);
    }

    public boolean eventIdx() {
        return eventIdx;
    }

    /** Descriptors of the main table not held by an outstanding chain. */
    public synchronized int numFree() {
        return numFree;
    }

    /**
     * Adds a chain of the given buffers, one descriptor each, and publishes it.
     *
     * @return the head descriptor index, the id the used element will carry
     * @throws IllegalStateException when fewer than {@code segments.size()} descriptors are free
     */
    public synchronized int add(List<Segment> segments) {
        return addDirect(segments, null, new long[0], List.of());
    }

    /**
     * Writes the buffers into an indirect table at {@code table} and publishes a chain of
     * one descriptor naming it (VIRTQ_DESC_F_INDIRECT).
     *
     * @throws IllegalStateException when no descriptor is free
     */
    public synchronized int addIndirect(long table, List<Segment> segments) {
        return addIndirect(table, segments, null, new long[0], List.of());
    }

    /**
     * Places {@code requests} (their remaining bytes, each one device-readable buffer) and
     * response buffers of {@code responseLengths} (device-writable) with
     * {@code allocator}, and publishes them as one chain of direct descriptors. The
     * buffers go back to the allocator when the chain comes back from {@link #pollUsed},
     * whose element then carries the bytes the device wrote.
     *
     * @throws IllegalStateException when the allocator or the queue has no room; nothing is held then
     */
    public synchronized int submit(GuestAllocator allocator, List<ByteBuffer> requests, long... responseLengths) {
        List<Long> allocations = new ArrayList<>();
        try {
            List<Segment> segments = place(allocator, allocations, requests, responseLengths);
            return addDirect(segments, allocator, toArray(allocations), responses(segments));
        } catch (RuntimeException e) {
            allocations.forEach(allocator::free);
            throw e;
        }
    }

    /** As {@link #submit}, with the buffers in an indirect table that the allocator places too. */
    public synchronized int submitIndirect(GuestAllocator allocator, List<ByteBuffer> requests,
            long... responseLengths) {
        List<Long> allocations = new ArrayList<>();
        try {
            List<Segment> segments = place(allocator, allocations, requests, responseLengths);
            long table = allocator.allocate(Virtq.descTableSize(segments.size()), Virtq.DESC_ALIGN);
            allocations.add(table);
            return addIndirect(table, segments, allocator, toArray(allocations), responses(segments));
        } catch (RuntimeException e) {
            allocations.forEach(allocator::free);
            throw e;
        }
    }

    /**
     * Whether the device wants a notification for the chains published since the last
     * call (§2.7.10): with EVENT_IDX when the available index passed {@code avail_event},
     * otherwise unless {@code used.flags} has VIRTQ_USED_F_NO_NOTIFY.
     */
    public synchronized boolean kickNeeded() {
        // The published index must be visible before the device's suppression fields are read.
        VarHandle.fullFence();
        int old = kickedIdx;
        int now = availIdx;
        kickedIdx = now;
        if (old == now) {
            return false;
        }
        if (eventIdx) {
            return Virtq.needEvent(availEvent(), now, old);
        }
        return (usedFlags() & Virtq.USED_F_NO_NOTIFY) == 0;
    }

    /**
     * The next element of the used ring, if the device published one. The chain's
     * descriptors become free, and for a submitted chain its buffers go back to their
     * allocator after the written bytes are copied out.
     */
    public synchronized Optional<UsedElement> pollUsed() {
        if (usedIndex() == lastUsed) {
            return Optional.empty();
        }
        // The element is read only after the index that published it.
        VarHandle.acquireFence();
        long element = Virtq.usedEntry(usedRing, lastUsed & (size - 1));
        int id = memory.readInt(element + Virtq.USED_ELEM_ID);
        long length = Integer.toUnsignedLong(memory.readInt(element + Virtq.USED_ELEM_LEN));
        lastUsed = (lastUsed + 1) & 0xffff;
        Outstanding chain = outstanding.remove(id);
        if (chain == null) {
            return Optional.of(new UsedElement(id, length, EMPTY));
        }
        for (int descriptor : chain.descriptors()) {
            freeNext[descriptor] = freeHead;
            freeHead = descriptor;
            numFree++;
        }
        ByteBuffer written = EMPTY;
        if (chain.allocator() != null) {
            written = copyOut(chain.responseBuffers(), length);
            for (long allocation : chain.allocations()) {
                chain.allocator().free(allocation);
            }
        }
        return Optional.of(new UsedElement(id, length, written));
    }

    /** The available index as published. */
    public synchronized int availIndex() {
        return availIdx;
    }

    /** The used index as the device last wrote it. */
    public int usedIndex() {
        return Short.toUnsignedInt(memory.readShort(usedRing + Virtq.RING_IDX));
    }

    /** {@code used.flags} as the device last wrote it. */
    public int usedFlags() {
        return Short.toUnsignedInt(memory.readShort(usedRing + Virtq.RING_FLAGS));
    }

    /** {@code avail_event} as the device last wrote it. */
    public int availEvent() {
        return Short.toUnsignedInt(memory.readShort(Virtq.availEvent(usedRing, size)));
    }

    /** Writes {@code used_event}: with EVENT_IDX, interrupt me once the used entry at this index is written. */
    public void setUsedEvent(int idx) {
        memory.writeShort(Virtq.usedEvent(availRing, size), (short) checkIndex(idx));
    }

    /** Writes {@code avail.flags}, e.g. {@link Virtq#AVAIL_F_NO_INTERRUPT}. */
    public void setAvailFlags(int flags) {
        memory.writeShort(availRing + Virtq.RING_FLAGS, (short) checkIndex(flags));
    }

    /**
     * Raw: writes descriptor {@code index} of the table at {@code table} (the main table,
     * {@link #descTable()}, or an indirect one), whatever the values.
     */
    public void writeDescriptor(long table, int index, long addr, long length, int flags, int next) {
        long at = Virtq.descriptor(table, index);
        memory.writeLong(at + Virtq.DESC_ADDR, addr);
        memory.writeInt(at + Virtq.DESC_LEN, (int) length);
        memory.writeShort(at + Virtq.DESC_FLAGS, (short) flags);
        memory.writeShort(at + Virtq.DESC_NEXT, (short) next);
    }

    /** Raw: puts {@code head} in the available ring and publishes it, whatever its descriptors hold. */
    public synchronized void publish(int head) {
        memory.writeShort(Virtq.availEntry(availRing, availIdx & (size - 1)), (short) checkIndex(head));
        // The ring entry and the descriptors must be visible before the index that publishes them.
        memory.storeFence();
        availIdx = (availIdx + 1) & 0xffff;
        memory.writeShort(availRing + Virtq.RING_IDX, (short) availIdx);
    }

    /** Raw: writes the available index, e.g. to make it run further ahead than the ring holds. */
    public synchronized void setAvailIndex(int idx) {
        availIdx = checkIndex(idx);
        memory.writeShort(availRing + Virtq.RING_IDX, (short) idx);
    }

    @Override
    public String toString() {
        return String.format("DriverQueue[size=%d, desc=0x%x, avail=0x%x, used=0x%x, eventIdx=%b]",
                size, descTable, availRing, usedRing, eventIdx);
    }

    private int addDirect(List<Segment> segments, GuestAllocator allocator, long[] allocations,
            List<Segment> responses) {
        requireSegments(segments);
        if (segments.size() > numFree) {
            throw new IllegalStateException(segments.size() + " descriptors needed, " + numFree + " free");
        }
        int[] descriptors = take(segments.size());
        for (int i = 0; i < descriptors.length; i++) {
            Segment segment = segments.get(i);
            boolean last = i == descriptors.length - 1;
            int flags = (segment.writable() ? Virtq.DESC_F_WRITE : 0) | (last ? 0 : Virtq.DESC_F_NEXT);
            writeDescriptor(descTable, descriptors[i], segment.gpa(), segment.length(), flags,
                    last ? 0 : descriptors[i + 1]);
        }
        outstanding.put(descriptors[0], new Outstanding(descriptors, allocator, allocations, responses));
        publish(descriptors[0]);
        return descriptors[0];
    }

    private int addIndirect(long table, List<Segment> segments, GuestAllocator allocator, long[] allocations,
            List<Segment> responses) {
        requireSegments(segments);
        if (numFree == 0) {
            throw new IllegalStateException("no descriptor free");
        }
        for (int i = 0; i < segments.size(); i++) {
            Segment segment = segments.get(i);
            boolean last = i == segments.size() - 1;
            int flags = (segment.writable() ? Virtq.DESC_F_WRITE : 0) | (last ? 0 : Virtq.DESC_F_NEXT);
            writeDescriptor(table, i, segment.gpa(), segment.length(), flags, last ? 0 : i + 1);
        }
        int[] descriptors = take(1);
        writeDescriptor(descTable, descriptors[0], table, Virtq.descTableSize(segments.size()),
                Virtq.DESC_F_INDIRECT, 0);
        outstanding.put(descriptors[0], new Outstanding(descriptors, allocator, allocations, responses));
        publish(descriptors[0]);
        return descriptors[0];
    }

    private static void requireSegments(List<Segment> segments) {
        if (segments.isEmpty()) {
            throw new IllegalArgumentException("a chain needs at least one buffer");
        }
        if (segments.size() > Virtqueue.MAX_SIZE) {
            throw new IllegalArgumentException(segments.size() + " buffers, more than " + Virtqueue.MAX_SIZE);
        }
    }

    private int[] take(int count) {
        int[] taken = new int[count];
        for (int i = 0; i < count; i++) {
            taken[i] = freeHead;
            freeHead = freeNext[freeHead];
            numFree--;
        }
        return taken;
    }

    private List<Segment> place(GuestAllocator allocator, List<Long> allocations, List<ByteBuffer> requests,
            long[] responseLengths) {
        List<Segment> segments = new ArrayList<>();
        for (ByteBuffer request : requests) {
            if (!request.hasRemaining()) {
                throw new IllegalArgumentException("an empty request buffer");
            }
            long at = allocator.allocate(request.remaining(), Long.BYTES);
            allocations.add(at);
            segments.add(Segment.readable(at, request.remaining()));
            memory.write(at, request.duplicate());
        }
        for (long length : responseLengths) {
            if (length <= 0) {
                throw new IllegalArgumentException("response length " + length + " is not positive");
            }
            long at = allocator.allocate(length, Long.BYTES);
            allocations.add(at);
            segments.add(Segment.writable(at, length));
            memory.write(at, ByteBuffer.allocate(Math.toIntExact(length)));
        }
        return segments;
    }

    private static List<Segment> responses(List<Segment> segments) {
        return segments.stream().filter(Segment::writable).toList();
    }

    private static long[] toArray(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    private ByteBuffer copyOut(List<Segment> responses, long length) {
        long total = responses.stream().mapToLong(Segment::length).sum();
        ByteBuffer written = ByteBuffer.allocate(Math.toIntExact(Math.min(length, total)))
                .order(ByteOrder.LITTLE_ENDIAN);
        for (Segment segment : responses) {
            if (!written.hasRemaining()) {
                break;
            }
            int n = (int) Math.min(segment.length(), written.remaining());
            memory.read(segment.gpa(), written.slice(written.position(), n));
            written.position(written.position() + n);
        }
        return written.flip();
    }

    private static int checkIndex(int value) {
        if (value < 0 || value > 0xffff) {
            throw new IllegalArgumentException(value + " does not fit a 16-bit ring field");
        }
        return value;
    }
}
