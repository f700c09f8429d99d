package dev.neep.vhostuser.sys;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import com.sun.jna.Pointer;

/**
 * A mapping made by {@link Posix#mapShared}, or an address range reserved by
 * {@link Posix#reserve} into which parts of files are mapped. Its buffers are views of the mapped
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
        if (maxPiece <= 0) {
            throw new IllegalArgumentException("pieces of " + maxPiece + " bytes");
        }
        checkRange(offset, size);
        List<ByteBuffer> pieces = new ArrayList<>();
        for (long at = offset, end = offset + size; at < end; ) {
            int n = (int) Math.min(maxPiece, end - at);
            pieces.add(address.getByteBuffer(at, n).order(ByteOrder.LITTLE_ENDIAN));
            at += n;
        }
        return pieces;
    }

    /**
     * Maps {@code length} bytes of {@code fd} from {@code fdOffset} over
     * {@code [offset, offset + length)} of this mapping ({@code MAP_FIXED}, shared), read-only
     * unless {@code writable}; whatever was there before is gone. Offsets page-aligned.
     */
    public synchronized void mapFixed(long offset, Fd fd, long fdOffset, long length, boolean writable)
            throws IOException {
        checkRange(offset, length);
        int n = fd.acquire();
        try {
            Posix.mmapFixed(address.share(offset), length, LibC.PROT_READ | (writable ? LibC.PROT_WRITE : 0),
                    LibC.MAP_SHARED, n, fdOffset, fd.what() + " at offset " + offset);
        } finally {
            fd.release();
        }
    }

    /** Makes {@code [offset, offset + length)} inaccessible again, as {@link Posix#reserve} left it. */
    public synchronized void clear(long offset, long length) throws IOException {
        checkRange(offset, length);
        Posix.mmapFixed(address.share(offset), length, LibC.PROT_NONE,
                LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_NORESERVE, -1, 0, "reservation at offset " + offset);
    }

    private void checkRange(long offset, long size) {
        if (unmapped) {
            throw new IllegalStateException("mapping already unmapped");
        }
        if (offset < 0 || size <= 0 || Math.addExact(offset, size) > length) {
            throw new IndexOutOfBoundsException("range " + offset + "+" + size + " of a " + length + "-byte mapping");
        }
    }

    @Override
    public synchronized void close() {
        if (!unmapped) {
            unmapped = true;
            Posix.munmap(address, length);
        }
    }
}
