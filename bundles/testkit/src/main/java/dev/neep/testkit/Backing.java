package dev.neep.testkit;

import dev.neep.gpu.protocol.MemEntry;
import dev.neep.virtio.GuestMemory;
import dev.neep.virtio.driver.GuestAllocator;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Guest pages backing a resource, as the {@link MemEntry} list ATTACH_BACKING and
 * CREATE_BLOB send, with reads and writes by offset into the resource's linear bytes.
 * {@link #release()} gives the pages back to the allocator they came from; do it only
 * after the device let go of them (DETACH_BACKING or RESOURCE_UNREF answered).
 */
public final class Backing {
    /** The guest page size: runs start on a page and are whole pages long, as Linux's are. */
    static final long PAGE = 4096;

    private final GuestMemory memory;
    private final GuestAllocator allocator;
    private final List<MemEntry> entries;
    private final long length;
    private boolean released;

    Backing(GuestMemory memory, GuestAllocator allocator, List<MemEntry> entries) {
        this.memory = memory;
        this.allocator = allocator;
        this.entries = List.copyOf(entries);
        this.length = entries.stream().mapToLong(MemEntry::lengthUnsigned).sum();
    }

    /**
     * Allocates guest pages for {@code length} bytes in runs of at most {@code chunk} bytes,
     * each page-aligned, zeroed. On failure the runs already taken are given back.
     */
    static Backing allocate(GuestMemory memory, GuestAllocator allocator, long length, long chunk) {
        if (length <= 0) {
            throw new IllegalArgumentException("backing length " + length + " is not positive");
        }
        List<MemEntry> entries = new ArrayList<>();
        try {
            for (long done = 0; done < length; ) {
                long n = Math.min(chunk, length - done);
                long at = allocator.allocate(n, PAGE);
                entries.add(new MemEntry(at, (int) n));
                memory.write(at, ByteBuffer.allocate((int) n));
                done += n;
            }
        } catch (RuntimeException e) {
            entries.forEach(entry -> allocator.free(entry.addr()));
            throw e;
        }
        return new Backing(memory, allocator, entries);
    }

    /** The runs of guest pages in resource order. */
    public List<MemEntry> entries() {
        return entries;
    }

    /** Bytes in all entries together. */
    public long length() {
        return length;
    }

    /** Copies {@code src.remaining()} bytes to resource offset {@code offset}, across entries. */
    public void write(long offset, ByteBuffer src) {
        walk(offset, src.remaining(), (gpa, n) -> memory.write(gpa, src.slice(src.position(), n)), src);
    }

    /** Copies {@code dst.remaining()} bytes from resource offset {@code offset}. */
    public void read(long offset, ByteBuffer dst) {
        walk(offset, dst.remaining(), (gpa, n) -> memory.read(gpa, dst.slice(dst.position(), n)), dst);
    }

    private interface Copy {
        void run(long gpa, int n);
    }

    private void walk(long offset, int count, Copy copy, ByteBuffer advance) {
        if (offset < 0 || Math.addExact(offset, count) > length) {
            throw new IndexOutOfBoundsException(count + " bytes at " + offset + " are outside the backing's "
                    + length + " bytes");
        }
        long entryStart = 0;
        int left = count;
        long at = offset;
        for (MemEntry entry : entries) {
            long entryEnd = entryStart + entry.lengthUnsigned();
            if (left > 0 && at < entryEnd) {
                int n = (int) Math.min(left, entryEnd - at);
                copy.run(entry.addr() + (at - entryStart), n);
                advance.position(advance.position() + n);
                at += n;
                left -= n;
            }
            entryStart = entryEnd;
        }
    }

    /** Gives the pages back to the allocator. Idempotent. */
    public synchronized void release() {
        if (!released) {
            released = true;
            entries.forEach(e -> allocator.free(e.addr()));
        }
    }

    @Override
    public String toString() {
        return "Backing[" + entries.size() + " entries, " + length + " bytes]";
    }
}
