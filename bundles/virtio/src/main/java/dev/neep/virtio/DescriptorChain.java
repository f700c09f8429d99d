package dev.neep.virtio;

/**
 * One descriptor chain popped from a {@link Virtqueue}: its device-readable buffers,
 * then its device-writable buffers, already walked and checked (virtio 1.2 §2.7.5).
 *
 * <p>A chain the device must refuse carries a {@link #fault()} naming the field and
 * the value; it has no buffers, and the device gives it back with
 * {@code addUsed(chain, 0)}.
 *
 * <p>{@link #reader()} and {@link #writer()} return the same stream each time. A chain
 * is used by one thread at a time.
 */
public final class DescriptorChain {

    private static final long[] NONE = new long[0];

    private final Virtqueue queue;
    private final int headIndex;
    private final String fault;
    private final long readableLength;
    private final long writableLength;
    private final ChainReader reader;
    private final ChainWriter writer;
    private boolean used;

    private DescriptorChain(Virtqueue queue, GuestMemory memory, int headIndex, String fault, long[] addrs,
            long[] lengths, int readableCount, long readableLength, long writableLength) {
        this.queue = queue;
        this.headIndex = headIndex;
        this.fault = fault;
        this.readableLength = readableLength;
        this.writableLength = writableLength;
        this.reader = new ChainCursor.Reader(new ChainCursor(memory, addrs, lengths, 0, readableLength));
        this.writer = new ChainCursor.Writer(new ChainCursor(memory, addrs, lengths, readableCount, writableLength));
    }

    static DescriptorChain of(Virtqueue queue, GuestMemory memory, int headIndex, long[] addrs, long[] lengths,
            int readableCount, long readableLength, long writableLength) {
        return new DescriptorChain(queue, memory, headIndex, null, addrs, lengths, readableCount, readableLength,
                writableLength);
    }

    static DescriptorChain faulted(Virtqueue queue, GuestMemory memory, int headIndex, String fault) {
        return new DescriptorChain(queue, memory, headIndex, fault, NONE, NONE, 0, 0, 0);
    }

    /** The descriptor index the driver put in the available ring: the id of the used element. */
    public int headIndex() {
        return headIndex;
    }

    /** Why the chain is refused, naming the field and the value; null for a good chain. */
    public String fault() {
        return fault;
    }

    /** The device-readable bytes, as one stream. */
    public ChainReader reader() {
        return reader;
    }

    /** The device-writable bytes, as one stream. */
    public ChainWriter writer() {
        return writer;
    }

    /** Total bytes of the device-readable buffers. */
    public long readableLength() {
        return readableLength;
    }

    /** Total bytes of the device-writable buffers: the most a used element may report. */
    public long writableLength() {
        return writableLength;
    }

    @Override
    public String toString() {
        return "DescriptorChain[queue=" + queue.index() + ", head=" + headIndex
                + (fault != null ? ", fault=" + fault : ", readable=" + readableLength + ", writable=" + writableLength)
                + "]";
    }

    Virtqueue queue() {
        return queue;
    }

    /** Marks the chain given back; false when it already was. */
    boolean markUsed() {
        if (used) {
            return false;
        }
        used = true;
        return true;
    }
}
