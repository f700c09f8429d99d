package dev.neep.backend.rutabaga.internal;

import static dev.neep.backend.rutabaga.internal.TwoDTransfers.toNative;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_PARAMETER;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_UNSPEC;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.neep.backend.support.Iovecs;
import dev.neep.backend.support.ReadBack;
import dev.neep.gpu.api.Frame;
import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.api.HeldFrame;
import dev.neep.gpu.api.Transfer;
import dev.neep.gpu.protocol.Formats;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The pixels of a resource for scanout and cursor: a resource read whole from the library into
 * a buffer of its own, or a blob's pixels as SET_SCANOUT_BLOB lays them out. Confined
 * to the instance's owner thread.
 */
final class RutabagaFrames {

    private final RutabagaInstance instance;

    RutabagaFrames(RutabagaInstance instance) {
        this.instance = instance;
    }

    /**
     * Reads the whole resource with {@code rutabaga_resource_transfer_read} into memory no held
     * picture uses (rows {@code width * 4} bytes apart, the stride the 2D component uses).
     */
    Frame frame(RutabagaResource resource) throws GpuBackendException {
        return readBack(resource).frame();
    }

    /** As {@link #frame}, held: later read-backs of the resource go elsewhere while a hold lasts. */
    HeldFrame hold(RutabagaResource resource) throws GpuBackendException {
        return readBack(resource).hold();
    }

    private ReadBack readBack(RutabagaResource resource) throws GpuBackendException {
        if (resource.blob) {
            throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "resource " + resource.id
                    + " is a blob; it is shown through SET_SCANOUT_BLOB");
        }
        if (resource.display == null) {
            resource.display = ReadBack.of(resource.id, resource.format, resource.width, resource.height);
        }
        int stride = resource.display.stride();
        long size = resource.display.size();
        Memory display = resource.display.target();
        // Components without host storage for the resource (cross-domain) read nothing:
        // show black, not the previous frame.
        display.clear(size);
        try (Memory iovec = new Memory(Iovecs.SIZE)) {
            Iovecs.put(iovec, 0, Pointer.nativeValue(display), size);
            Transfer whole = new Transfer(0, 0, 0, resource.width, resource.height, 1, 0, stride, 0, 0);
            instance.check("rutabaga_resource_transfer_read(" + resource.id + ") for a frame",
                    instance.lib.rutabaga_resource_transfer_read(instance.pointer(), 0, resource.id, toNative(whole),
                            iovec), RESP_ERR_UNSPEC);
        }
        return resource.display;
    }

    /**
     * A blob's pixels, from its host mapping when mapped, else from its guest backing: a view
     * when the rows lie in one buffer, else gathered.
     */
    Frame blobFrame(RutabagaResource resource, int format, int width, int height, int stride, long offset)
            throws GpuBackendException {
        if (!resource.blob) {
            throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "resource " + resource.id + " is not a blob");
        }
        if (!Formats.isSupported2d(format) || width <= 0 || height <= 0) {
            throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "blob scanout " + width + "x" + height
                    + " in format " + Formats.name(format) + " cannot be shown");
        }
        List<ByteBuffer> source = resource.mapping != null ? List.of(resource.mapping) : resource.backing;
        if (source == null) {
            throw new GpuBackendException(RESP_ERR_UNSPEC, "blob " + resource.id
                    + " has neither guest backing nor a host mapping to show");
        }
        long rowBytes = (long) width * Formats.bytesPerPixel(format);
        long strideBytes = Integer.toUnsignedLong(stride);
        long end;
        try {
            end = Math.addExact(offset, Math.addExact(Math.multiplyExact(height - 1L, strideBytes), rowBytes));
        } catch (ArithmeticException e) {
            end = -1;
        }
        long available = size(source);
        if (strideBytes < rowBytes || offset < 0 || end < 0 || end > available
                || (long) height * rowBytes > Integer.MAX_VALUE) {
            throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "blob scanout of " + height + " rows of "
                    + rowBytes + " bytes, " + strideBytes + " apart from byte " + offset + ", does not fit the "
                    + available + " bytes of blob " + resource.id);
        }
        if (source.size() == 1 && end - offset <= Integer.MAX_VALUE) {
            ByteBuffer view = source.get(0).duplicate();
            view.position(view.position() + (int) offset).limit(view.position() + (int) (end - offset));
            return new Frame(format, width, height, stride, view.slice().asReadOnlyBuffer());
        }
        int gathered = (int) (height * rowBytes);
        // The blob's own buffer, as for frame(): sinks read it later, and must not find another
        // resource's pixels there.
        if (resource.blobDisplay == null || resource.blobDisplay.capacity() < gathered) {
            resource.blobDisplay = ByteBuffer.allocate(gathered);
        }
        ByteBuffer display = resource.blobDisplay;
        for (int row = 0; row < height; row++) {
            gather(source, offset + row * strideBytes, display, (int) (row * rowBytes), (int) rowBytes);
        }
        ByteBuffer pixels = display.duplicate();
        pixels.position(0).limit(gathered);
        return new Frame(format, width, height, (int) rowBytes, pixels.slice().asReadOnlyBuffer());
    }

    static long size(List<ByteBuffer> buffers) {
        long total = 0;
        for (ByteBuffer b : buffers) {
            total += b.remaining();
        }
        return total;
    }

    /** Copies {@code length} bytes from stream offset {@code from} of {@code source} to {@code dst[at..]}. */
    private static void gather(List<ByteBuffer> source, long from, ByteBuffer dst, int at, int length) {
        long start = 0;
        int copied = 0;
        for (ByteBuffer piece : source) {
            long pieceEnd = start + piece.remaining();
            long want = from + copied;
            if (copied < length && want < pieceEnd) {
                int local = (int) (want - start);
                int n = (int) Math.min(length - copied, pieceEnd - want);
                dst.put(at + copied, piece, piece.position() + local, n);
                copied += n;
            }
            start = pieceEnd;
        }
    }
}
