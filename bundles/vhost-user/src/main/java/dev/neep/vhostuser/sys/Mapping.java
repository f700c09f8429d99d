package dev.neep.vhostuser.sys;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import com.sun.jna.Pointer;

/**
 * A shared mapping made by {@link Posix#mapShared}. Its buffers are views of the mapped
 * pages: touching one after {@link #close()} is a crash of the whole process, not an
 * exception, so the owner unmaps only once nothing can reach the views any more.
 */
public final class Mapping implements AutoCloseable {

    private final Pointer address;
    private final long length;
    private boolean unmapped;

    Mapping(Pointer address, long length) {
        this.address = address;
        this.length = length;
    }

    public long length() {
        return length;
    }

    /**
     * Little-endian views of {@code [offset, offset + size)}, consecutive, each at most
     * {@code maxPiece} bytes.
     */
    public synchronized List<ByteBuffer> pieces(long offset, long size, int maxPiece) {
        if (unmapped) {
            throw new IllegalStateException("mapping already unmapped");
        }
        if (offset < 0 || size <= 0 || Math.addExact(offset, size) > length || maxPiece <= 0) {
            throw new IndexOutOfBoundsException("range " + offset + "+" + size + " of a " + length + "-byte mapping");
        }
        List<ByteBuffer> pieces = new ArrayList<>();
        for (long at = offset, end = offset + size; at < end; ) {
            int n = (int) Math.min(maxPiece, end - at);
            pieces.add(address.getByteBuffer(at, n).order(ByteOrder.LITTLE_ENDIAN));
            at += n;
        }
        return pieces;
    }

    @Override
    public synchronized void close() {
        if (!unmapped) {
            unmapped = true;
            Posix.munmap(address, length);
        }
    }
}
