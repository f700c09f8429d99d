package dev.neep.backend.rutabaga.internal;

import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_PARAMETER;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_UNSPEC;

import dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.rutabaga_transfer;
import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.api.Transfer;

/**
 * Transfers as librutabaga_gfx_ffi takes them, and the checks its 2D component needs. A failed
 * 2D transfer in 0.1.2 leaves the resource failing every later transfer, so a 2D write is
 * checked completely here and the library is called only when it cannot fail. The guest's
 * {@code offset} says where the box starts in the backing, while the 2D component places the box
 * at {@code offset + y * width * 4 + x * 4} with rows {@code width * 4} bytes apart.
 */
final class TwoDTransfers {

    static final int BYTES_PER_PIXEL = 4;

    private TwoDTransfers() {
    }

    /** The library transfer for a valid 2D write to {@code r}, or {@code null} when there is nothing to copy. */
    static Transfer write(RutabagaResource r, Transfer t) throws GpuBackendException {
        if (r.blob) {
            throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "resource " + r.id + " is a blob");
        }
        if (t.z() != 0 || t.depth() != 1 || t.level() != 0) {
            throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "transfer to 2D resource " + r.id + " has z "
                    + t.z() + ", depth " + t.depth() + ", level " + t.level() + " (expected 0, 1, 0)");
        }
        long x = Integer.toUnsignedLong(t.x());
        long y = Integer.toUnsignedLong(t.y());
        long w = Integer.toUnsignedLong(t.width());
        long h = Integer.toUnsignedLong(t.height());
        if (x + w > r.width || y + h > r.height) {
            throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "transfer box " + x + "," + y + " " + w + "x" + h
                    + " lies outside resource " + r.id + " of " + r.width + "x" + r.height);
        }
        if (w == 0 || h == 0) {
            return null;
        }
        if (r.backing == null) {
            throw new GpuBackendException(RESP_ERR_UNSPEC, "resource " + r.id + " has no backing attached");
        }
        long rowStride = (long) r.width * BYTES_PER_PIXEL;
        long stride = t.stride() == 0 ? rowStride : Integer.toUnsignedLong(t.stride());
        if (stride != rowStride) {
            throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "transfer stride " + stride + " differs from the "
                    + rowStride + " bytes of a row of resource " + r.id + "; rutabaga's 2D component reads backing"
                    + " rows that far apart");
        }
        long boxStart = y * rowStride + x * BYTES_PER_PIXEL;
        long offset = t.offset();
        if (offset < boxStart) {
            throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "transfer offset " + Long.toUnsignedString(offset)
                    + " lies before byte " + boxStart + ", where box " + x + "," + y
                    + " starts in a linear image; rutabaga's 2D component cannot read the box from there");
        }
        long end;
        try {
            end = Math.addExact(offset, Math.addExact((h - 1) * rowStride, w * BYTES_PER_PIXEL));
        } catch (ArithmeticException e) {
            end = Long.MAX_VALUE;
        }
        long backingSize = RutabagaFrames.size(r.backing);
        if (end > backingSize) {
            throw new GpuBackendException(RESP_ERR_INVALID_PARAMETER, "transfer reads backing bytes from "
                    + Long.toUnsignedString(offset) + " to " + (end == Long.MAX_VALUE ? "beyond 2^63" : end)
                    + ", but resource " + r.id + " has " + backingSize + " bytes of backing");
        }
        return new Transfer(t.x(), t.y(), 0, t.width(), t.height(), 1, 0, (int) rowStride, 0, offset - boxStart);
    }

    static rutabaga_transfer toNative(Transfer t) {
        rutabaga_transfer transfer = new rutabaga_transfer();
        transfer.x = t.x();
        transfer.y = t.y();
        transfer.z = t.z();
        transfer.w = t.width();
        transfer.h = t.height();
        transfer.d = t.depth();
        transfer.level = t.level();
        transfer.stride = t.stride();
        transfer.layer_stride = t.layerStride();
        transfer.offset = t.offset();
        return transfer;
    }
}
