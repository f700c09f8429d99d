package dev.neep.gpu.device.internal;

import dev.neep.virtio.ChainException;
import dev.neep.virtio.ChainReader;
import dev.neep.virtio.ChainWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/** A descriptor chain's two streams over plain buffers, for driving the device core without queues. */
final class BufferChain {

    private BufferChain() {
    }

    /** The readable part: {@code parts} one after another. */
    static ChainReader reader(ByteBuffer... parts) {
        int total = Arrays.stream(parts).mapToInt(ByteBuffer::remaining).sum();
        ByteBuffer all = ByteBuffer.allocate(total);
        for (ByteBuffer p : parts) {
            all.put(p.duplicate());
        }
        all.flip();
        return new ChainReader() {
            @Override
            public long remaining() {
                return all.remaining();
            }

            @Override
            public void read(ByteBuffer dst) {
                if (dst.remaining() > all.remaining()) {
                    throw new ChainException("read of " + dst.remaining() + " past the end");
                }
                ByteBuffer slice = all.slice().limit(dst.remaining());
                dst.put(slice);
                all.position(all.position() + slice.limit());
            }

            @Override
            public ByteBuffer readBuffer(int length) {
                ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
                read(b);
                return b.flip();
            }

            @Override
            public void skip(long length) {
                if (length > all.remaining()) {
                    throw new ChainException("skip past the end");
                }
                all.position(all.position() + (int) length);
            }
        };
    }

    /** The writable part: {@code capacity} bytes, each set to {@code fill} until written. */
    static final class Writer implements ChainWriter {
        final byte[] bytes;
        private int written;

        Writer(int capacity, int fill) {
            bytes = new byte[capacity];
            Arrays.fill(bytes, (byte) fill);
        }

        @Override
        public long remaining() {
            return bytes.length - written;
        }

        @Override
        public void write(ByteBuffer src) {
            if (src.remaining() > remaining()) {
                throw new ChainException("write of " + src.remaining() + " past the end");
            }
            int n = src.remaining();
            src.get(bytes, written, n);
            written += n;
        }

        @Override
        public long written() {
            return written;
        }

        ByteBuffer writtenBytes() {
            return ByteBuffer.wrap(bytes, 0, written).slice().order(ByteOrder.LITTLE_ENDIAN);
        }
    }
}
