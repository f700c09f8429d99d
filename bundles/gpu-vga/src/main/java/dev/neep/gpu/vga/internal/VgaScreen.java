package dev.neep.gpu.vga.internal;

import dev.neep.gpu.api.Frame;
import dev.neep.gpu.device.VgaScanout;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.Rect;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The VGA side's output: the VBE framebuffer as pictures of the GPU device's scanout 0, handed
 * to the device ({@link VgaScanout}) until the virtio driver takes over. The device passes them
 * to its sinks on each sink's own thread, so neither the thread that calls {@link #refresh} nor
 * a vCPU ever runs a sink's code or waits for one.
 *
 * <p>Each {@link #refresh} compares the visible rows of the VRAM with a copy of what was last
 * handed over and hands over the rectangle that changed. Comparing rather than tracking writes
 * keeps it right when a VMM maps the VRAM straight into the guest. Each picture handed over is
 * a fresh B8G8R8X8 copy of the whole screen (32 bpp is already that in little-endian memory;
 * 15, 16 and 24 bpp are widened) that is never written again, so a sink reads it whole however
 * late it reads, and never sees a row the guest is half-way through. A refresh that finds
 * nothing changed copies nothing.
 *
 * <p>One lock orders {@link #refresh} with {@link #handOver} and {@link #takeBack}, so nothing
 * is handed to the device between the two; the device's calls only record and return.
 */
public final class VgaScreen {
    /** The scanout the VGA picture goes to, the one the virtio driver will use first. */
    public static final int SCANOUT = 0;
    public static final int FORMAT = Formats.B8G8R8X8_UNORM;

    private final VgaScanout scanout;
    private final Vram vram;
    private final BochsVbe vbe;
    private boolean handedOver;
    private VbeMode shown;
    /** The visible rows as last handed over, packed, in the mode's own depth. */
    private byte[] seen;
    /** The picture last handed over, as B8G8R8X8: never written again, the next one is a copy. */
    private byte[] picture;
    private byte[] row;

    /** {@code scanout}: the GPU device that shows the pictures on its scanout 0. */
    public VgaScreen(VgaScanout scanout, Vram vram, BochsVbe vbe) {
        this.scanout = scanout;
        this.vram = vram;
        this.vbe = vbe;
    }

    /** True while the VGA side owns the screen (the virtio driver has not taken over). */
    public synchronized boolean vgaActive() {
        return !handedOver;
    }

    /**
     * The virtio driver takes over: nothing more is handed to the device (whose activation
     * takes the VGA picture off its sinks) until {@link #takeBack}.
     */
    public synchronized void handOver() {
        handedOver = true;
        forget();
    }

    /** The virtio device was reset: the next {@link #refresh} shows the VBE picture again, in full. */
    public synchronized void takeBack() {
        handedOver = false;
    }

    /** Hands the device what changed since the last call. */
    public synchronized void refresh() {
        if (handedOver) {
            return;
        }
        VbeMode mode = vbe.mode().orElse(null);
        if (mode == null) {
            if (shown != null) {
                forget();
                scanout.withdrawVga();
            }
            return;
        }
        if (!mode.equals(shown)) {
            show(mode);
            return;
        }
        int rowBytes = mode.width() * mode.bytesPerPixel();
        int top = -1;
        int bottom = -1;
        int left = mode.width();
        int right = -1;
        for (int y = 0; y < mode.height(); y++) {
            int at = y * rowBytes;
            vram.copyOut(mode.start() + (long) y * mode.lineBytes(), row, 0, rowBytes);
            int first = Arrays.mismatch(row, 0, rowBytes, seen, at, at + rowBytes);
            if (first < 0) {
                continue;
            }
            int last = rowBytes - 1;
            while (row[last] == seen[at + last]) {
                last--;
            }
            System.arraycopy(row, first, seen, at + first, last - first + 1);
            top = top < 0 ? y : top;
            bottom = y;
            left = Math.min(left, first / mode.bytesPerPixel());
            right = Math.max(right, last / mode.bytesPerPixel());
        }
        if (top >= 0) {
            Rect dirty = new Rect(left, top, right - left + 1, bottom - top + 1);
            // The sinks may still read the last picture: the next one is a copy, with the change.
            picture = picture.clone();
            for (int y = top; y <= bottom; y++) {
                widen(mode, y, left, right);
            }
            scanout.updateVga(dirty, frame(mode));
        }
    }

    private void show(VbeMode mode) {
        int rowBytes = mode.width() * mode.bytesPerPixel();
        seen = new byte[Math.multiplyExact(rowBytes, mode.height())];
        picture = new byte[Math.multiplyExact(mode.width() * 4, mode.height())];
        row = new byte[rowBytes];
        for (int y = 0; y < mode.height(); y++) {
            vram.copyOut(mode.start() + (long) y * mode.lineBytes(), seen, y * rowBytes, rowBytes);
            widen(mode, y, 0, mode.width() - 1);
        }
        boolean resized = shown == null || shown.width() != mode.width() || shown.height() != mode.height();
        shown = mode;
        if (resized) {
            scanout.showVga(frame(mode));
        } else {
            scanout.updateVga(new Rect(0, 0, mode.width(), mode.height()), frame(mode));
        }
    }

    private void forget() {
        shown = null;
        seen = null;
        picture = null;
        row = null;
    }

    private Frame frame(VbeMode mode) {
        return new Frame(FORMAT, mode.width(), mode.height(), mode.width() * 4,
                ByteBuffer.wrap(picture).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN));
    }

    /** Converts pixels {@code x0..x1} of row {@code y} of {@link #seen} into {@link #picture}. */
    private void widen(VbeMode mode, int y, int x0, int x1) {
        int bpp = mode.bpp();
        int src = y * mode.width() * mode.bytesPerPixel();
        int dst = y * mode.width() * 4;
        if (bpp == 32) {
            System.arraycopy(seen, src + x0 * 4, picture, dst + x0 * 4, (x1 - x0 + 1) * 4);
            return;
        }
        for (int x = x0; x <= x1; x++) {
            int r;
            int g;
            int b;
            if (bpp == 24) {
                int p = src + x * 3;
                b = seen[p] & 0xff;
                g = seen[p + 1] & 0xff;
                r = seen[p + 2] & 0xff;
            } else {
                int p = src + x * 2;
                int v = (seen[p] & 0xff) | (seen[p + 1] & 0xff) << 8;
                if (bpp == 16) {
                    r = expand5(v >>> 11);
                    g = expand6(v >>> 5 & 0x3f);
                } else {
                    r = expand5(v >>> 10 & 0x1f);
                    g = expand5(v >>> 5 & 0x1f);
                }
                b = expand5(v & 0x1f);
            }
            int q = dst + x * 4;
            picture[q] = (byte) b;
            picture[q + 1] = (byte) g;
            picture[q + 2] = (byte) r;
            picture[q + 3] = (byte) 0xff;
        }
    }

    /** Scales a 5-bit channel to 8 bits so that full intensity stays full (0x1f -> 0xff). */
    private static int expand5(int c) {
        return c << 3 | c >>> 2;
    }

    private static int expand6(int c) {
        return c << 2 | c >>> 4;
    }
}
