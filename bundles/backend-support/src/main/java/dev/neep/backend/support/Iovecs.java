package dev.neep.backend.support;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.protocol.CtrlType;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A native {@code struct iovec} array over guest buffers. Direct buffers are passed by address:
 * they are views of guest memory, valid until detach. A heap buffer has no stable address; where
 * the library only uses the addresses during a call it gets a native bounce buffer
 * ({@link #bounced}), where the library keeps them it is refused ({@link #direct}).
 */
public final class Iovecs {

    /** The size of one {@code struct iovec}. */
    public static final int SIZE = Native.POINTER_SIZE + Native.SIZE_T_SIZE;

    private final Memory array;
    private final int count;
    private final ByteBuffer[] guest;
    private final Memory[] bounce;

    private Iovecs(List<ByteBuffer> buffers) {
        count = buffers.size();
        // Never NULL, even for no buffers: a library may make a slice of it.
        array = new Memory((long) Math.max(1, count) * SIZE);
        array.clear();
        guest = new ByteBuffer[count];
        bounce = new Memory[count];
    }

    /**
     * Heap buffers get bounce buffers, filled by {@link #toHost} and copied back by
     * {@link #fromHost}; whole buffers are copied because the library, not we, works out which
     * bytes a box touches.
     */
    public static Iovecs bounced(List<ByteBuffer> buffers) {
        Iovecs iovecs = new Iovecs(buffers);
        for (int i = 0; i < iovecs.count; i++) {
            ByteBuffer buffer = buffers.get(i).duplicate();
            int length = buffer.remaining();
            iovecs.guest[i] = buffer;
            long address = 0;
            if (buffer.isDirect()) {
                address = address(buffer);
            } else if (length > 0) {
                iovecs.bounce[i] = new Memory(length);
                address = Pointer.nativeValue(iovecs.bounce[i]);
            }
            put(iovecs.array, i, address, length);
        }
        return iovecs;
    }

    /**
     * Direct buffers only: the library keeps the addresses, and a heap array can be moved by the
     * garbage collector. {@code what} names the buffers' owner in the refusal.
     */
    public static Iovecs direct(String what, String library, List<ByteBuffer> buffers) throws GpuBackendException {
        Iovecs iovecs = new Iovecs(buffers);
        for (int i = 0; i < iovecs.count; i++) {
            ByteBuffer buffer = buffers.get(i);
            if (!buffer.isDirect()) {
                iovecs.free();
                throw new GpuBackendException(CtrlType.RESP_ERR_UNSPEC, what + ": iovec " + i + " is a heap buffer, but "
                        + library + " keeps guest memory addresses; guest memory must be direct buffers");
            }
            iovecs.guest[i] = buffer;
            put(iovecs.array, i, address(buffer), buffer.remaining());
        }
        return iovecs;
    }

    /** Writes element {@code index} of the iovec array at {@code array}. */
    public static void put(Memory array, int index, long base, long length) {
        long at = (long) index * SIZE;
        array.setPointer(at, new Pointer(base));
        if (Native.SIZE_T_SIZE == Long.BYTES) {
            array.setLong(at + Native.POINTER_SIZE, length);
        } else {
            array.setInt(at + Native.POINTER_SIZE, Math.toIntExact(length));
        }
    }

    /** {@code current} when it holds {@code size} bytes, else a new block in its place. */
    public static Memory atLeast(Memory current, long size) {
        if (current != null && current.size() >= size) {
            return current;
        }
        if (current != null) {
            current.close();
        }
        return new Memory(size);
    }

    private static long address(ByteBuffer direct) {
        return Pointer.nativeValue(Native.getDirectBufferPointer(direct)) + direct.position();
    }

    public Memory array() {
        return array;
    }

    public int count() {
        return count;
    }

    /** Copies the guest's heap buffers into their bounce buffers, before the host reads them. */
    public void toHost() {
        for (int i = 0; i < count; i++) {
            if (bounce[i] != null) {
                bounce[i].getByteBuffer(0, bounce[i].size()).put(guest[i].duplicate());
            }
        }
    }

    /** Copies the bounce buffers back into the guest's heap buffers, after the host wrote them. */
    public void fromHost() {
        for (int i = 0; i < count; i++) {
            if (bounce[i] != null) {
                guest[i].duplicate().put(bounce[i].getByteBuffer(0, bounce[i].size()));
            }
        }
    }

    public void free() {
        array.close();
        for (Memory m : bounce) {
            if (m != null) {
                m.close();
            }
        }
    }
}
