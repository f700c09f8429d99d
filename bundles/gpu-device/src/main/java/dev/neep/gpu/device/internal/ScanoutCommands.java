package dev.neep.gpu.device.internal;

import static dev.neep.gpu.device.internal.Checks.rect;
import static dev.neep.gpu.device.internal.Checks.size;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_PARAMETER;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_SCANOUT_ID;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_UNSPEC;

import dev.neep.gpu.api.Frame;
import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.api.HeldFrame;
import dev.neep.gpu.device.DeviceConfig;
import dev.neep.gpu.protocol.CtrlHdr;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.Rect;
import dev.neep.gpu.protocol.ResourceFlush;
import dev.neep.gpu.protocol.SetScanout;
import dev.neep.gpu.protocol.SetScanoutBlob;
import dev.neep.virtio.OnceLog;
import java.nio.ByteBuffer;
import java.util.function.BooleanSupplier;

/**
 * What the scanouts show and when the sinks hear of it: SET_SCANOUT, SET_SCANOUT_BLOB and
 * RESOURCE_FLUSH, and the full picture a sink that binds late is given.
 */
final class ScanoutCommands {
    private final BooleanSupplier headless;
    private final OnceLog log;
    private final ResourceTable resources;
    private final Scanouts scanouts;
    private final SinkHub sinks;
    private final BackendSlot backend;
    private final Checks checks;

    /** {@code headless}: sinks get geometry, no pixels. */
    ScanoutCommands(BooleanSupplier headless, OnceLog log, ResourceTable resources, Scanouts scanouts,
            SinkHub sinks, BackendSlot backend, Checks checks) {
        this.headless = headless;
        this.log = log;
        this.resources = resources;
        this.scanouts = scanouts;
        this.sinks = sinks;
        this.backend = backend;
        this.checks = checks;
    }

    Reply setScanout(SetScanout s) {
        Reply done = checkScanoutOrDisable(s.hdr(), s.scanoutId(), s.resourceId());
        if (done != null) {
            return done;
        }
        Resource res = resources.get(s.resourceId());
        if (res == null) {
            return checks.unknownResource(s.hdr(), s.resourceId());
        }
        if (res.isBlob()) {
            return checks.refuse(s.hdr(), "blob", res + " is a blob: SET_SCANOUT_BLOB shows blobs",
                    RESP_ERR_INVALID_PARAMETER);
        }
        Rect r = s.r();
        if (!scanoutRectValid(r, res.width, res.height)) {
            return checks.refuse(s.hdr(), "rect", rect(r) + " outside " + res + " of " + size(res.width, res.height)
                    + " or smaller than " + DeviceConfig.MIN_RESOLUTION + "x" + DeviceConfig.MIN_RESOLUTION,
                    RESP_ERR_INVALID_PARAMETER);
        }
        scanouts.show(s.scanoutId(), res, ScanoutState.of(res, r.x(), r.y(), r.width(), r.height()));
        return Reply.OK;
    }

    /**
     * What SET_SCANOUT and SET_SCANOUT_BLOB check first, alike: the scanout exists, and
     * resource 0 disables it. The answer when the command ends here, null when it goes on.
     */
    private Reply checkScanoutOrDisable(CtrlHdr hdr, int scanoutId, int resourceId) {
        if (Integer.compareUnsigned(scanoutId, scanouts.count()) >= 0) {
            return checks.refuse(hdr, "scanout_id", "scanout " + Integer.toUnsignedString(scanoutId)
                    + " >= max_outputs " + scanouts.count(), RESP_ERR_INVALID_SCANOUT_ID);
        }
        if (resourceId == 0) {
            scanouts.disable(scanoutId);
            return Reply.OK;
        }
        return null;
    }

    Reply setScanoutBlob(SetScanoutBlob s) {
        Reply bad = checks.requireBlob(s.hdr());
        if (bad != null) {
            return bad;
        }
        Reply done = checkScanoutOrDisable(s.hdr(), s.scanoutId(), s.resourceId());
        if (done != null) {
            return done;
        }
        Resource res = resources.get(s.resourceId());
        if (res == null) {
            return checks.unknownResource(s.hdr(), s.resourceId());
        }
        if (!res.isBlob()) {
            return checks.refuse(s.hdr(), "not a blob", res + " is not a blob: SET_SCANOUT shows it",
                    RESP_ERR_INVALID_PARAMETER);
        }
        if (!Formats.isSupported2d(s.format())) {
            return checks.refuse(s.hdr(), "format", "format " + Formats.name(s.format()) + " cannot be scanned out",
                    RESP_ERR_INVALID_PARAMETER);
        }
        Rect r = s.r();
        if (!scanoutRectValid(r, s.width(), s.height())) {
            return checks.refuse(s.hdr(), "rect", rect(r) + " outside the " + size(s.width(), s.height())
                    + " framebuffer or smaller than 16x16", RESP_ERR_INVALID_PARAMETER);
        }
        int bpp = Formats.bytesPerPixel(s.format());
        long stride = Integer.toUnsignedLong(s.strides().get(0));
        if (stride < Integer.toUnsignedLong(r.width()) * bpp) {
            // Rows that overlap are no framebuffer; refused here, not at the first flush.
            return checks.refuse(s.hdr(), "stride", "stride " + stride + " shorter than a row of " + rect(r) + " in "
                    + Formats.name(s.format()), RESP_ERR_INVALID_PARAMETER);
        }
        long first;
        try {
            first = Math.addExact(Integer.toUnsignedLong(s.offsets().get(0)),
                    Math.addExact(Math.multiplyExact(Integer.toUnsignedLong(r.y()), stride),
                            Integer.toUnsignedLong(r.x()) * bpp));
        } catch (ArithmeticException e) {
            first = -1;
        }
        long end = r.end(first, stride, bpp);
        if (end < 0 || end > res.blobSize) {
            return checks.refuse(s.hdr(), "fb end", rect(r) + " with stride " + stride + " at offset "
                    + Integer.toUnsignedString(s.offsets().get(0)) + " ends at byte "
                    + (end < 0 ? "beyond 2^63" : Long.toString(end)) + ", past the " + res.blobSize + " bytes of "
                    + res, RESP_ERR_INVALID_PARAMETER);
        }
        scanouts.show(s.scanoutId(), res, ScanoutState.ofBlob(res, s.format(), r.x(), r.y(), r.width(), r.height(),
                s.strides().get(0), first));
        return Reply.OK;
    }

    Reply flush(ResourceFlush f) {
        Resource res = resources.get(f.resourceId());
        if (res == null) {
            return checks.unknownResource(f.hdr(), f.resourceId());
        }
        Rect r = f.r();
        if (!res.isBlob() && !r.within(res.width, res.height)) {
            return checks.refuse(f.hdr(), "rect", rect(r) + " outside " + res + " of " + size(res.width, res.height),
                    RESP_ERR_INVALID_PARAMETER);
        }
        Reply result = Reply.OK;
        for (int i = 0; i < scanouts.count(); i++) {
            ScanoutState s = scanouts.state(i);
            if (s == null || s.resourceId() != res.id) {
                continue;
            }
            Rect dirty = dirty(r, s);
            if (dirty == null || headless.getAsBoolean() || sinks.isEmpty()) {
                continue;
            }
            ScanoutView.Flushed pixels;
            try {
                pixels = flushed(i, s);
            } catch (GpuBackendException e) {
                log.host("CMD_RESOURCE_FLUSH: frame", "no pixels for scanout " + i + ": " + e.getMessage(), e);
                result = Reply.error(BackendSlot.validError(e.responseType()));
                continue;
            } catch (RuntimeException e) {
                log.host("CMD_RESOURCE_FLUSH: frame", "backend failed to give pixels for scanout " + i, e);
                result = Reply.error(RESP_ERR_UNSPEC);
                continue;
            }
            sinks.frameUpdated(i, dirty, pixels);
            pixels.release();
        }
        return result;
    }

    /** Brings a sink that bound late up to date: every enabled scanout, a full frame of it, the cursors. */
    void replay(SinkCalls sink) {
        for (int i = 0; i < scanouts.count(); i++) {
            ScanoutState s = scanouts.state(i);
            if (s != null) {
                sink.scanoutChanged(i, s.toScanout());
                if (!headless.getAsBoolean()) {
                    try {
                        ScanoutView.Flushed pixels = flushed(i, s);
                        sink.frameUpdated(i, new Rect(0, 0, s.width(), s.height()), pixels);
                        pixels.release();
                    } catch (GpuBackendException | RuntimeException e) {
                        log.host("replay: frame", "no pixels for scanout " + i + " of a new sink: "
                                + e.getMessage(), e);
                    }
                }
            }
            CursorPicture cursor = scanouts.cursor(i);
            if (cursor != null) {
                sink.cursorDefined(i, cursor);
            }
        }
    }

    /**
     * Scanout {@code i}'s pixels at this flush: held by the backend when it can hold them (the
     * sinks then read this very picture, however late), else its live frame. The caller hands
     * them to the sinks, which add holds of their own, and then gives back the flush's hold.
     */
    private ScanoutView.Flushed flushed(int i, ScanoutState s) throws GpuBackendException {
        if (!s.blob()) {
            HeldFrame held = backend.read(b -> b.hold(s.resourceId()));
            if (held != null) {
                try {
                    return scanouts.view(i).flushed(crop(s, held.frame()), held, f -> crop(s, f));
                } catch (GpuBackendException | RuntimeException e) {
                    held.release();
                    throw e;
                }
            }
        }
        return scanouts.view(i).flushed(frame(s));
    }

    /** The scanout's view of the backend's live pixels: the frame positioned at the rectangle's top-left pixel. */
    private Frame frame(ScanoutState s) throws GpuBackendException {
        if (s.blob()) {
            return backend.read(b -> b.blobFrame(s.resourceId(), s.format(), s.width(), s.height(), s.stride(),
                    s.offset()));
        }
        return crop(s, backend.read(b -> b.frame(s.resourceId())));
    }

    /** What of resource frame {@code f} scanout {@code s} shows, positioned at its top-left pixel. */
    private static Frame crop(ScanoutState s, Frame f) throws GpuBackendException {
        if (!Formats.isSupported2d(f.format())) {
            throw new GpuBackendException(RESP_ERR_UNSPEC, "frame format " + Formats.name(f.format())
                    + " of resource " + s.resourceId() + " cannot be shown");
        }
        int bpp = Formats.bytesPerPixel(f.format());
        long start = f.pixels().position() + (long) s.y() * f.stride() + (long) s.x() * bpp;
        long end = new Rect(s.x(), s.y(), s.width(), s.height()).end(start, f.stride(), bpp);
        if (Integer.compareUnsigned(f.width(), s.x() + s.width()) < 0
                || Integer.compareUnsigned(f.height(), s.y() + s.height()) < 0 || end < 0 || end > f.pixels().limit()) {
            throw new GpuBackendException(RESP_ERR_UNSPEC, "backend frame " + f.width() + "x" + f.height()
                    + " (stride " + f.stride() + ", " + f.pixels().remaining() + " bytes) does not hold scanout "
                    + s.width() + "x" + s.height() + "+" + s.x() + "+" + s.y());
        }
        ByteBuffer view = f.pixels().duplicate().order(f.pixels().order());
        view.position((int) start);
        return new Frame(f.format(), s.width(), s.height(), f.stride(), view);
    }

    /** The part of flush rectangle {@code r} that scanout {@code s} shows, in scanout coordinates; null if none. */
    private static Rect dirty(Rect r, ScanoutState s) {
        long x0 = Math.max(Integer.toUnsignedLong(r.x()), s.x());
        long y0 = Math.max(Integer.toUnsignedLong(r.y()), s.y());
        long x1 = Math.min(Integer.toUnsignedLong(r.x()) + Integer.toUnsignedLong(r.width()),
                (long) s.x() + s.width());
        long y1 = Math.min(Integer.toUnsignedLong(r.y()) + Integer.toUnsignedLong(r.height()),
                (long) s.y() + s.height());
        if (x1 <= x0 || y1 <= y0) {
            return null;
        }
        return new Rect((int) (x0 - s.x()), (int) (y0 - s.y()), (int) (x1 - x0), (int) (y1 - y0));
    }

    /** QEMU's scanout rule: inside the framebuffer and at least 16x16. */
    private static boolean scanoutRectValid(Rect r, int width, int height) {
        return Integer.compareUnsigned(r.width(), DeviceConfig.MIN_RESOLUTION) >= 0
                && Integer.compareUnsigned(r.height(), DeviceConfig.MIN_RESOLUTION) >= 0 && r.within(width, height);
    }
}
