package dev.neep.virtio;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * The device side of one split virtqueue (virtio 1.2 §2.7).
 *
 * <p>The constructor checks the configuration: a size that is a power of two up to
 * {@link #MAX_SIZE}, and each ring aligned and wholly inside guest memory. After that
 * nothing the guest writes makes a method throw: a malformed chain comes out of
 * {@link #pop()} with a {@link DescriptorChain#fault() fault} (and is consumed, so the
 * device gives it back with length 0); a corrupt ring sets {@link #ringFault()}, after
 * which the queue does nothing until it is rebuilt, and the transport should set
 * DEVICE_NEEDS_RESET. Exceptions are thrown only for the device's own mistakes (a
 * chain given back twice, a length beyond its writable buffers).
 *
 * <p>Not thread-safe: the device uses a queue from one thread at a time, and a
 * transport touches it ({@link #setNextAvailIndex}) only while the device is stopped.
 */
public final class Virtqueue {

    public static final int MAX_SIZE = 32768;

    /**
     * The longest indirect table accepted, in descriptors. The spec bounds only its
     * length field; this bound keeps the work and the memory one chain can cost finite.
     */
    public static final int MAX_INDIRECT = MAX_SIZE;

    private final int index;
    private final GuestMemory memory;
    private final int size;
    private final long descTable;
    private final long availRing;
    private final long usedRing;
    private final boolean eventIdx;

    // Free-running 16-bit indices, as the rings hold them; the slot is index & (size - 1).
    private int nextAvail;
    private int nextUsed;
    // The used index at the last needsNotification(): the "old" of vring_need_event.
    private int signalledUsed;
    private boolean notificationsEnabled = true;
    private String ringFault;
    /** The descriptor being walked, read whole (the queue is used from one thread at a time). */
    private final ByteBuffer descriptor = ByteBuffer.allocate(Virtq.DESC_SIZE).order(ByteOrder.LITTLE_ENDIAN);

    /**
     * @param index     the queue's index in its device, for messages
     * @param eventIdx  whether VIRTIO_RING_F_EVENT_IDX was negotiated
     * @throws InvalidQueueException naming {@code size}, {@code descTable}, {@code availRing}
     *                               or {@code usedRing}, checked in that order
     */
    public Virtqueue(int index, GuestMemory memory, int size, long descTable, long availRing, long usedRing,
            boolean eventIdx) throws InvalidQueueException {
        if (index < 0) {
            throw new IllegalArgumentException("queue index " + index + " is negative");
        }
        Objects.requireNonNull(memory, "memory");
        if (size < 1 || size > MAX_SIZE || Integer.bitCount(size) != 1) {
            throw new InvalidQueueException(index, "size", size, "not a power of two in 1.." + MAX_SIZE);
        }
        checkRing(index, memory, "descTable", descTable, Virtq.DESC_ALIGN, Virtq.descTableSize(size));
        checkRing(index, memory, "availRing", availRing, Virtq.AVAIL_ALIGN, Virtq.availRingSize(size));
        checkRing(index, memory, "usedRing", usedRing, Virtq.USED_ALIGN, Virtq.usedRingSize(size));
        this.index = index;
        this.memory = memory;
        this.size = size;
        this.descTable = descTable;
        this.availRing = availRing;
        this.usedRing = usedRing;
        this.eventIdx = eventIdx;
        // A fresh queue's used ring is zeroed by the driver; a vhost-user queue resumes
        // where the ring says the previous backend stopped.
        this.nextUsed = Short.toUnsignedInt(memory.readShort(usedRing + Virtq.RING_IDX));
        this.signalledUsed = nextUsed;
    }

    private static void checkRing(int index, GuestMemory memory, String field, long address, int alignment,
            long length) throws InvalidQueueException {
        if ((address & (alignment - 1)) != 0) {
            throw new InvalidQueueException(index, field, address, "not aligned to " + alignment + " bytes");
        }
        if (!memory.contains(address, length)) {
            throw new InvalidQueueException(index, field, address,
                    "its " + length + " bytes are not wholly inside guest memory");
        }
    }

    public int index() {
        return index;
    }

    public int size() {
        return size;
    }

    /** Guest-physical address of the descriptor table (what a transport was told). */
    public long descTable() {
        return descTable;
    }

    /** Guest-physical address of the available ring. */
    public long availRing() {
        return availRing;
    }

    /** Guest-physical address of the used ring. */
    public long usedRing() {
        return usedRing;
    }

    /**
     * Takes the next chain from the available ring, walked and checked; empty when the
     * driver has made nothing new available or the ring is corrupt.
     */
    public Optional<DescriptorChain> pop() {
        if (ringFault != null) {
            return Optional.empty();
        }
        try {
            int availIdx = readAvailIdx();
            int pending = (availIdx - nextAvail) & 0xffff;
            if (pending == 0) {
                return Optional.empty();
            }
            if (pending > size) {
                ringFault = String.format("virtqueue %d: avail.idx=%d is %d entries ahead of the device's %d,"
                        + " more than the queue size %d", index, availIdx, pending, nextAvail, size);
                return Optional.empty();
            }
            // The ring entry and the descriptors are read only after the index that published them.
            VarHandle.acquireFence();
            int slot = nextAvail & (size - 1);
            int head = Short.toUnsignedInt(memory.readShort(Virtq.availEntry(availRing, slot)));
            nextAvail = (nextAvail + 1) & 0xffff;
            if (eventIdx && notificationsEnabled) {
                // Ask for a kick as soon as the driver goes past what the device has taken.
                writeAvailEvent(nextAvail);
            }
            return Optional.of(walk(slot, head));
        } catch (GuestMemoryException e) {
            ringFault = "virtqueue " + index + ": a ring is no longer in guest memory: " + e.getMessage();
            return Optional.empty();
        }
    }

    /**
     * Gives a chain back to the driver: the used element first, then, after a release
     * fence, the used index that publishes it.
     *
     * @param writtenLen bytes the device wrote into the chain's writable buffers
     * @throws IllegalArgumentException when the chain is another queue's, or
     *                                  {@code writtenLen} is beyond its writable buffers
     * @throws IllegalStateException    when the chain was already given back
     */
    public void addUsed(DescriptorChain chain, long writtenLen) {
        if (chain.queue() != this) {
            throw new IllegalArgumentException(chain + " is not a chain of virtqueue " + index);
        }
        if (writtenLen < 0 || writtenLen > chain.writableLength() || writtenLen > 0xffffffffL) {
            throw new IllegalArgumentException("writtenLen=" + writtenLen + " is not within the "
                    + chain.writableLength() + " writable bytes of " + chain);
        }
        if (!chain.markUsed()) {
            throw new IllegalStateException(chain + " was already given back");
        }
        if (ringFault != null) {
            return;
        }
        try {
            long element = Virtq.usedEntry(usedRing, nextUsed & (size - 1));
            memory.writeInt(element + Virtq.USED_ELEM_ID, chain.headIndex());
            memory.writeInt(element + Virtq.USED_ELEM_LEN, (int) writtenLen);
            memory.storeFence();
            nextUsed = (nextUsed + 1) & 0xffff;
            memory.writeShort(usedRing + Virtq.RING_IDX, (short) nextUsed);
        } catch (GuestMemoryException e) {
            ringFault = "virtqueue " + index + ": the used ring is no longer in guest memory: " + e.getMessage();
        }
    }

    /**
     * Whether the driver wants an interrupt for the chains given back since the last
     * call (§2.7.10): with EVENT_IDX when the used index passed {@code used_event},
     * otherwise unless {@code avail.flags} has VIRTQ_AVAIL_F_NO_INTERRUPT. False when
     * nothing was given back since. Call once after a batch of {@link #addUsed}.
     */
    public boolean needsNotification() {
        if (ringFault != null) {
            return false;
        }
        // The used index store must be visible before the driver's suppression fields are read,
        // or an interrupt the driver asked for after reading the old index could be lost.
        VarHandle.fullFence();
        int old = signalledUsed;
        int now = nextUsed;
        if (old == now) {
            return false;
        }
        signalledUsed = now;
        try {
            if (eventIdx) {
                int usedEvent = Short.toUnsignedInt(memory.readShort(Virtq.usedEvent(availRing, size)));
                return Virtq.needEvent(usedEvent, now, old);
            }
            return (memory.readShort(availRing + Virtq.RING_FLAGS) & Virtq.AVAIL_F_NO_INTERRUPT) == 0;
        } catch (GuestMemoryException e) {
            ringFault = "virtqueue " + index + ": the available ring is no longer in guest memory: " + e.getMessage();
            return false;
        }
    }

    /**
     * Asks the driver to notify again (§2.7.10): clears VIRTQ_USED_F_NO_NOTIFY, or with
     * EVENT_IDX sets {@code avail_event} to the next index the device will take.
     *
     * @return true when chains are already available, which the driver may not kick for:
     *         the device processes them before it waits
     */
    public boolean enableNotifications() {
        notificationsEnabled = true;
        if (ringFault != null) {
            return false;
        }
        try {
            if (eventIdx) {
                writeAvailEvent(nextAvail);
            } else {
                memory.writeShort(usedRing + Virtq.RING_FLAGS, (short) 0);
            }
        } catch (GuestMemoryException e) {
            ringFault = "virtqueue " + index + ": the used ring is no longer in guest memory: " + e.getMessage();
            return false;
        }
        // The request must be visible before the available index is read again, or a chain
        // the driver added in between would get neither a kick nor a look.
        VarHandle.fullFence();
        return hasAvailable();
    }

    /**
     * Tells the driver notifications are not needed while the device works through the
     * ring: sets VIRTQ_USED_F_NO_NOTIFY, or with EVENT_IDX (where that flag must stay 0)
     * points {@code avail_event} one entry behind the device, at an index the driver has
     * already passed, so no new entry crosses it.
     */
    public void disableNotifications() {
        notificationsEnabled = false;
        if (ringFault != null) {
            return;
        }
        try {
            if (eventIdx) {
                writeAvailEvent((nextAvail - 1) & 0xffff);
            } else {
                memory.writeShort(usedRing + Virtq.RING_FLAGS, (short) Virtq.USED_F_NO_NOTIFY);
            }
        } catch (GuestMemoryException e) {
            ringFault = "virtqueue " + index + ": the used ring is no longer in guest memory: " + e.getMessage();
        }
    }

    /** True when the driver has made chains available that {@link #pop()} has not taken. */
    public boolean hasAvailable() {
        if (ringFault != null) {
            return false;
        }
        try {
            return readAvailIdx() != nextAvail;
        } catch (GuestMemoryException e) {
            ringFault = "virtqueue " + index + ": the available ring is no longer in guest memory: " + e.getMessage();
            return false;
        }
    }

    /** The available-ring index of the next chain to take (vhost-user GET_VRING_BASE). */
    public int nextAvailIndex() {
        return nextAvail;
    }

    /** Resumes at available-ring index {@code idx}, 0..65535 (vhost-user SET_VRING_BASE). */
    public void setNextAvailIndex(int idx) {
        if (idx < 0 || idx > 0xffff) {
            throw new IllegalArgumentException("available index " + idx + " is not 0..65535");
        }
        nextAvail = idx;
    }

    /** Why the queue stopped working (a corrupt or vanished ring), naming field and value; null while it works. */
    public String ringFault() {
        return ringFault;
    }

    @Override
    public String toString() {
        return String.format("Virtqueue[index=%d, size=%d, desc=0x%x, avail=0x%x, used=0x%x, eventIdx=%b]",
                index, size, descTable, availRing, usedRing, eventIdx);
    }

    private int readAvailIdx() {
        return Short.toUnsignedInt(memory.readShort(availRing + Virtq.RING_IDX));
    }

    private void writeAvailEvent(int value) {
        memory.writeShort(Virtq.availEvent(usedRing, size), (short) value);
    }

    private DescriptorChain walk(int slot, int head) {
        Walk walk = new Walk();
        String fault;
        if (head >= size) {
            fault = String.format("avail.ring[%d]=%d: head index not below the queue size %d", slot, head, size);
        } else {
            try {
                fault = walk.fromTable(head);
            } catch (GuestMemoryException e) {
                fault = "a descriptor is no longer in guest memory: " + e.getMessage();
            }
        }
        if (fault != null) {
            return DescriptorChain.faulted(this, memory, head,
                    String.format("virtqueue %d, chain at head %d: %s", index, head, fault));
        }
        return DescriptorChain.of(this, memory, head, Arrays.copyOf(walk.addrs, walk.count),
                Arrays.copyOf(walk.lengths, walk.count), walk.readableCount, walk.readable, walk.writable);
    }

    /** Collects a chain's buffers, checking every rule of §2.7.5 before the device sees any of it. */
    private final class Walk {
        long[] addrs = new long[4];
        long[] lengths = new long[4];
        int count;
        int readableCount;
        long readable;
        long writable;

        /** Walks the chain from the descriptor table; returns the fault, or null. */
        String fromTable(int head) {
            int i = head;
            for (int visited = 0; ; visited++) {
                if (visited == size) {
                    return String.format("desc[%d]: the chain goes on past %d descriptors, the queue size (a loop)",
                            i, size);
                }
                load(Virtq.descriptor(descTable, i));
                int flags = flags();
                if ((flags & Virtq.DESC_F_INDIRECT) != 0) {
                    if ((flags & Virtq.DESC_F_NEXT) != 0) {
                        return String.format("%s.flags=0x%x: INDIRECT together with NEXT", name(-1, i), flags);
                    }
                    // The WRITE flag of a descriptor naming a table means nothing (§2.7.5.3.2).
                    return fromIndirect(i, addr(), length());
                }
                String fault = add(-1, i, flags);
                if (fault != null || (flags & Virtq.DESC_F_NEXT) == 0) {
                    return fault;
                }
                int next = next();
                if (next >= size) {
                    return String.format("%s.next=%d: not below the queue size %d", name(-1, i), next, size);
                }
                i = next;
            }
        }

        private String fromIndirect(int parent, long table, long length) {
            String where = name(-1, parent);
            if (length == 0 || length % Virtq.DESC_SIZE != 0) {
                return String.format("%s.len=%d: an indirect table's length must be a non-zero multiple of %d",
                        where, length, Virtq.DESC_SIZE);
            }
            long entries = length / Virtq.DESC_SIZE;
            if (entries > MAX_INDIRECT) {
                return String.format("%s.len=%d: an indirect table of %d descriptors, more than %d",
                        where, length, entries, MAX_INDIRECT);
            }
            if (!memory.contains(table, length)) {
                return String.format("%s.addr=0x%x len=%d: the indirect table is not wholly inside guest memory",
                        where, table, length);
            }
            int i = 0;
            for (int visited = 0; ; visited++) {
                if (visited == entries) {
                    return String.format("%s: the chain goes on past the table's %d descriptors (a loop)",
                            name(parent, i), entries);
                }
                load(Virtq.descriptor(table, i));
                int flags = flags();
                if ((flags & Virtq.DESC_F_INDIRECT) != 0) {
                    return String.format("%s.flags=0x%x: INDIRECT inside an indirect table", name(parent, i), flags);
                }
                String fault = add(parent, i, flags);
                if (fault != null || (flags & Virtq.DESC_F_NEXT) == 0) {
                    return fault;
                }
                int next = next();
                if (next >= entries) {
                    return String.format("%s.next=%d: not below the table's %d descriptors",
                            name(parent, i), next, entries);
                }
                i = next;
            }
        }

        /** The descriptor's name in fault messages; {@code parent} is the descriptor naming its table, or -1. */
        private String name(int parent, int i) {
            return parent < 0 ? "desc[" + i + "]" : "desc[" + parent + "] indirect[" + i + "]";
        }

        private String add(int parent, int i, int flags) {
            long addr = addr();
            long length = length();
            boolean deviceWritable = (flags & Virtq.DESC_F_WRITE) != 0;
            if (!deviceWritable && count > readableCount) {
                return String.format("%s.flags=0x%x: a device-readable buffer after a device-writable one",
                        name(parent, i), flags);
            }
            if (!memory.contains(addr, length)) {
                return String.format("%s.addr=0x%x len=%d: the buffer is not wholly inside guest memory",
                        name(parent, i), addr, length);
            }
            if (count == addrs.length) {
                addrs = Arrays.copyOf(addrs, count * 2);
                lengths = Arrays.copyOf(lengths, count * 2);
            }
            addrs[count] = addr;
            lengths[count] = length;
            count++;
            if (deviceWritable) {
                writable = Math.addExact(writable, length);
            } else {
                readable = Math.addExact(readable, length);
                readableCount++;
            }
            return null;
        }

        /**
         * Reads the descriptor at {@code at} whole, in one access of guest memory: its fields
         * are then one snapshot, however the driver rewrites it meanwhile.
         */
        private void load(long at) {
            memory.read(at, descriptor.clear());
        }

        private long addr() {
            return descriptor.getLong(Virtq.DESC_ADDR);
        }

        private long length() {
            return Integer.toUnsignedLong(descriptor.getInt(Virtq.DESC_LEN));
        }

        private int flags() {
            return Short.toUnsignedInt(descriptor.getShort(Virtq.DESC_FLAGS));
        }

        private int next() {
            return Short.toUnsignedInt(descriptor.getShort(Virtq.DESC_NEXT));
        }
    }
}
