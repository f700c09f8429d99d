package dev.neep.backend2d;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * A resource's guest backing: the iovecs the device handed over, read as one concatenated
 * byte stream (what QEMU's {@code iov_to_buf} does). Each iovec contributes the bytes between
 * its position and limit at the time of attaching; the buffers themselves are never moved, so
 * the device's views stay as they were.
 */
final class Backing {
    private final ByteBuffer[] iovecs;
    /** {@code starts[i]} is where iovec {@code i} begins in the stream; the last entry is the size. */
    private final long[] starts;

    private Backing(ByteBuffer[] iovecs, long[] starts) {
        this.iovecs = iovecs;
        this.starts = starts;
    }

    static Backing of(List<ByteBuffer> iovecs) {
        ByteBuffer[] slices = new ByteBuffer[iovecs.size()];
        long[] starts = new long[slices.length + 1];
        long at = 0;
        for (int i = 0; i < slices.length; i++) {
            slices[i] = iovecs.get(i).slice();
            starts[i] = at;
            at += slices[i].capacity();
        }
        starts[slices.length] = at;
        return new Backing(slices, starts);
    }

    /** Bytes in the stream. */
    long size() {
        return starts[iovecs.length];
    }

    /**
     * Copies {@code length} bytes from stream offset {@code offset} to {@code dst} at absolute
     * index {@code dstIndex}, one bulk copy per iovec touched. The caller has checked that the
     * range lies inside both.
     */
    void copyTo(long offset, ByteBuffer dst, int dstIndex, int length) {
        int i = indexOf(offset);
        int local = (int) (offset - starts[i]);
        while (length > 0) {
            ByteBuffer iov = iovecs[i];
            int n = Math.min(length, iov.capacity() - local);
            dst.put(dstIndex, iov, local, n);
            dstIndex += n;
            length -= n;
            i++;
            local = 0;
        }
    }

    /**
     * A read-only view of {@code length} bytes at stream offset {@code offset} when they lie in
     * one iovec, else {@code null}. The range is inside the stream and {@code length > 0}.
     */
    ByteBuffer view(long offset, int length) {
        int i = indexOf(offset);
        long local = offset - starts[i];
        if (local + length > iovecs[i].capacity()) {
            return null;
        }
        return iovecs[i].slice((int) local, length).asReadOnlyBuffer();
    }

    /**
     * The iovec holding stream offset {@code offset} (which is below {@link #size()}): the last
     * one starting at or before it, so empty iovecs, which share their start with the next one,
     * are skipped.
     */
    private int indexOf(long offset) {
        int lo = 0;
        int hi = iovecs.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (starts[mid] <= offset) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }
}
