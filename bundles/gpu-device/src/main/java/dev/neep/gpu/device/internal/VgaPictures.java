package dev.neep.gpu.device.internal;

import dev.neep.gpu.api.Frame;
import dev.neep.gpu.api.HeldFrame;
import dev.neep.gpu.api.Scanout;
import dev.neep.gpu.device.VgaScanout;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.Rect;
import dev.neep.virtio.OnceLog;

/**
 * Scanout 0 as virtio-vga shows it before a driver takes over (see {@link VgaScanout}): its
 * pictures go to the sinks as held pictures of a {@link ScanoutView} of their own, so each
 * sink's {@link SinkLane} keeps, folds and delivers them as it does the device's flushes.
 *
 * <p>The device, not the VGA side, decides when they show: only while no driver is active.
 * {@link #driverActive} takes the picture off the sinks before the driver's first command.
 *
 * <p>Confined to the device thread, but {@link #check} and {@link #checkUpdate}, which run on
 * the caller's.
 */
final class VgaPictures {
    static final int SCANOUT = 0;

    private final SinkHub sinks;
    private final PixelSeqlock seqlock;
    private final OnceLog log;
    private boolean driverActive;
    /** The VGA picture's geometry, null while none shows. */
    private Scanout shown;
    private ScanoutView view;
    /** The newest picture, for a sink that binds late. */
    private Frame picture;

    VgaPictures(SinkHub sinks, PixelSeqlock seqlock, OnceLog log) {
        this.sinks = sinks;
        this.seqlock = seqlock;
        this.log = log;
    }

    /** Any thread: refuses what is no whole B8G8R8X8 picture (see {@link VgaScanout#showVga}). */
    static void check(Frame picture) {
        int w = picture.width();
        int h = picture.height();
        if (picture.format() != Formats.B8G8R8X8_UNORM || w < 1 || w > VgaScanout.MAX_SIZE || h < 1
                || h > VgaScanout.MAX_SIZE || picture.stride() < w * 4
                || (long) picture.stride() * (h - 1) + w * 4L > picture.pixels().remaining()) {
            throw new IllegalArgumentException("a VGA picture is B8G8R8X8_UNORM, 1.." + VgaScanout.MAX_SIZE
                    + " pixels each way, in its buffer; not " + Formats.name(picture.format()) + " " + w + "x" + h
                    + " stride " + picture.stride() + " in " + picture.pixels().remaining() + " bytes");
        }
    }

    /** Any thread: as {@link #check}, and {@code dirty} a rectangle inside the picture. */
    static void checkUpdate(Rect dirty, Frame picture) {
        check(picture);
        if (dirty.width() == 0 || dirty.height() == 0 || !dirty.within(picture.width(), picture.height())) {
            throw new IllegalArgumentException("VGA update " + dirty + " is empty or outside its " + picture.width()
                    + "x" + picture.height() + " picture");
        }
    }

    void show(Frame next) {
        if (driverActive) {
            return;
        }
        Scanout geometry = new Scanout(0, Formats.B8G8R8X8_UNORM, 0, 0, next.width(), next.height());
        retire();
        shown = geometry;
        view = new ScanoutView(seqlock, log);
        sinks.scanoutChanged(SCANOUT, geometry);
        hand(new Rect(0, 0, next.width(), next.height()), next);
    }

    void update(Rect dirty, Frame next) {
        if (driverActive) {
            return;
        }
        if (shown == null || shown.width() != next.width() || shown.height() != next.height()) {
            // The picture is whole: shown afresh when the device lost the one it updates (a
            // device that started over under a new name while the VGA side kept its state).
            show(next);
            return;
        }
        hand(dirty, next);
    }

    void withdraw() {
        if (shown != null) {
            retire();
            sinks.scanoutChanged(SCANOUT, null);
        }
    }

    /** A driver took over (DRIVER_OK): the VGA picture leaves the sinks, and stays away until {@link #driverGone}. */
    void driverActive() {
        withdraw();
        driverActive = true;
    }

    /** The device was reset: the VGA side may show again. */
    void driverGone() {
        driverActive = false;
    }

    /** Brings a sink that bound late up to date: the VGA picture shown, in full. */
    void replay(SinkCalls sink) {
        if (shown != null) {
            sink.scanoutChanged(SCANOUT, shown);
            sink.frameUpdated(SCANOUT, new Rect(0, 0, shown.width(), shown.height()), flushed(picture));
        }
    }

    private void hand(Rect dirty, Frame next) {
        picture = next;
        sinks.frameUpdated(SCANOUT, dirty, flushed(next));
    }

    private ScanoutView.Flushed flushed(Frame still) {
        return view.flushed(still, new Still(still), f -> f);
    }

    private void retire() {
        if (view != null) {
            view.retire();
        }
        shown = null;
        view = null;
        picture = null;
    }

    /**
     * A picture nobody writes again: holding it costs nothing and never fails, so every lane
     * reads it as it was, however late; the garbage collector frees it once nobody refers to it.
     */
    private record Still(Frame frame) implements HeldFrame {
        @Override
        public boolean hold() {
            return true;
        }

        @Override
        public void release() {
        }

        @Override
        public Frame now() {
            return frame;
        }
    }
}
