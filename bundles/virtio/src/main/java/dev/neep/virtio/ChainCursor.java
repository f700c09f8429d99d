package dev.neep.virtio;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A position in a run of descriptor buffers, read or written as one stream. The
 * buffers were checked against guest memory when the chain was popped; guest memory
 * checks each access again, because regions may have changed since.
 */
final class ChainCursor {

    private final GuestMemory memory;
    private final long[] addrs;
    private final long[] lengths;
    private int segment;
    private long offset;
    private long remaining;

    ChainCursor(GuestMemory memory, long[] addrs, long[] lengths, int from, long total) {
        this.memory = memory;
        this.addrs = addrs;
        this.lengths = lengths;
        this.segment = from;
        this.remaining = total;
    }

    long remaining() {
        return remaining;
    }

    void require(long length, String action, String part) {
        if (length < 0) {
            throw new ChainException(action + " of " + length + " bytes: negative length");
        }
        if (length > remaining) {
            throw new ChainException(String.format("%s of %d bytes past the end of the chain's %s part: %d bytes left",
                    action, length, part, remaining));
        }
    }

    /** Moves {@code buffer.remaining()} bytes between the buffer and the chain; the caller checked the length. */
    void transfer(ByteBuffer buffer, boolean toGuest) {
        int limit = buffer.limit();
        try {
            while (buffer.position() < limit) {
                long inSegment = lengths[segment] - offset;
                if (inSegment == 0) {
                    segment++;
                    offset = 0;
                    continue;
                }
                int n = (int) Math.min(limit - buffer.position(), inSegment);
                buffer.limit(buffer.position() + n);
                if (toGuest) {
                    memory.write(addrs[segment] + offset, buffer);
                } else {
                    memory.read(addrs[segment] + offset, buffer);
                }
                buffer.limit(limit);
                offset += n;
                remaining -= n;
            }
        } finally {
            buffer.limit(limit);
        }
    }

    void skip(long length) {
        remaining -= length;
        while (length > 0) {
            long inSegment = lengths[segment] - offset;
            if (length < inSegment) {
                offset += length;
                return;
            }
            length -= inSegment;
            segment++;
            offset = 0;
        }
    }

    static final class Reader implements ChainReader {
        private final ChainCursor cursor;

        Reader(ChainCursor cursor) {
            this.cursor = cursor;
        }

        @Override
        public long remaining() {
            return cursor.remaining();
        }

        @Override
        public void read(ByteBuffer dst) {
            cursor.require(dst.remaining(), "read", "readable");
            cursor.transfer(dst, false);
        }

        @Override
        public ByteBuffer readBuffer(int length) {
            cursor.require(length, "read", "readable");
            ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
            cursor.transfer(buffer, false);
            return buffer.flip();
        }

        @Override
        public void skip(long length) {
            cursor.require(length, "skip", "readable");
            cursor.skip(length);
        }
    }

    static final class Writer implements ChainWriter {
        private final ChainCursor cursor;
        private final long total;

        Writer(ChainCursor cursor) {
            this.cursor = cursor;
            this.total = cursor.remaining();
        }

        @Override
        public long remaining() {
            return cursor.remaining();
        }

        @Override
        public void write(ByteBuffer src) {
            cursor.require(src.remaining(), "write", "writable");
            cursor.transfer(src, true);
        }

        @Override
        public long written() {
            return total - cursor.remaining();
        }
    }
}
