package dev.neep.gpu.vga.internal;

import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.api.Frame;
import dev.neep.gpu.api.Pixels;
import dev.neep.gpu.api.Scanout;
import dev.neep.gpu.api.ScanoutId;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.Rect;
import dev.neep.virtio.OnceLog;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The VGA side's output: scanout {@value #SCANOUT} showing the VBE framebuffer to the display
 * sinks until the virtio driver takes over.
 *
 * <p>Each {@link #refresh} compares the visible rows of the VRAM with a copy of what the sinks
 * last got and sends the rectangle that changed. Comparing rather than tracking writes keeps it
 * right when a VMM maps the VRAM straight into the guest. The frame handed out is that copy,
 * as B8G8R8X8 (32 bpp is already that in little-endian memory; 15, 16 and 24 bpp are widened),
 * so a sink never sees a row the guest is half-way through.
 *
 * <p>Every sink call is made under this object's lock, in order: from the thread that calls
 * {@link #refresh} and, at a hand-over, from the vCPU thread that set DRIVER_OK.
 */
public final class VgaScreen {
    /** The scanout the VGA picture goes to, the one the virtio driver will use first. */
    public static final int SCANOUT = 0;
    public static final int FORMAT = Formats.B8G8R8X8_UNORM;

    private static final Logger LOG = LoggerFactory.getLogger(VgaScreen.class);

    private final ScanoutId id;
    private final Vram vram;
    private final BochsVbe vbe;
    private final OnceLog log = new OnceLog(LOG, "virtio-vga display");
    private final List<DisplaySink> sinks = new ArrayList<>();
    private boolean handedOver;
    private VbeMode shown;
    /** The visible rows as the sinks last got them, packed, in the mode's own depth. */
    private byte[] seen;
    /** The same rows as B8G8R8X8; {@link #seen} itself at 32 bpp. */
    private byte[] out;
    private byte[] row;

    /** {@code device}: the name of the GPU device whose scanout 0 this is. */
    public VgaScreen(String device, Vram vram, BochsVbe vbe) {
        this.id = new ScanoutId(device, SCANOUT);
        this.vram = vram;
        this.vbe = vbe;
    }

    /** Binds a sink; if a picture is on screen it gets the scanout and a full frame at once. */
    public synchronized void addSink(DisplaySink sink) {
        if (sinks.contains(sink)) {
            return;
        }
        sinks.add(sink);
        if (shown != null) {
            call(sink, "scanoutChanged", s -> s.scanoutChanged(id, scanout(shown)));
            call(sink, "frameUpdated", s -> s.frameUpdated(id, full(shown), pixels()));
        }
    }

    /** Unbinds a sink; when this returns no further call reaches it. */
    public synchronized void removeSink(DisplaySink sink) {
        sinks.remove(sink);
    }

    /** True while the VGA side owns the screen (the virtio driver has not taken over). */
    public synchronized boolean vgaActive() {
        return !handedOver;
    }

    /** The virtio driver took over: the VGA picture leaves the sinks before the GPU's first command runs. */
    public synchronized void handOver() {
        handedOver = true;
        withdraw();
    }

    /** The virtio device was reset: the next {@link #refresh} shows the VBE picture again, in full. */
    public synchronized void takeBack() {
        handedOver = false;
    }

    /** Sends the sinks what changed since the last call. */
    public synchronized void refresh() {
        VbeMode mode = handedOver ? null : vbe.mode().orElse(null);
        if (mode == null) {
            withdraw();
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
            int x0 = first / mode.bytesPerPixel();
            int x1 = last / mode.bytesPerPixel();
            widen(mode, y, x0, x1);
            top = top < 0 ? y : top;
            bottom = y;
            left = Math.min(left, x0);
            right = Math.max(right, x1);
        }
        if (top >= 0) {
            Rect dirty = new Rect(left, top, right - left + 1, bottom - top + 1);
            each("frameUpdated", s -> s.frameUpdated(id, dirty, pixels()));
        }
    }

    private void show(VbeMode mode) {
        int rowBytes = mode.width() * mode.bytesPerPixel();
        seen = new byte[Math.multiplyExact(rowBytes, mode.height())];
        out = mode.bpp() == 32 ? seen : new byte[Math.multiplyExact(mode.width() * 4, mode.height())];
        row = new byte[rowBytes];
        for (int y = 0; y < mode.height(); y++) {
            vram.copyOut(mode.start() + (long) y * mode.lineBytes(), seen, y * rowBytes, rowBytes);
            widen(mode, y, 0, mode.width() - 1);
        }
        boolean resized = shown == null || shown.width() != mode.width() || shown.height() != mode.height();
        shown = mode;
        if (resized) {
            each("scanoutChanged", s -> s.scanoutChanged(id, scanout(mode)));
        }
        each("frameUpdated", s -> s.frameUpdated(id, full(mode), pixels()));
    }

    private void withdraw() {
        if (shown != null) {
            shown = null;
            seen = null;
            out = null;
            row = null;
            each("scanoutChanged", s -> s.scanoutChanged(id, null));
        }
    }

    /** Converts pixels {@code x0..x1} of row {@code y} of {@link #seen} into {@link #out}. */
    private void widen(VbeMode mode, int y, int x0, int x1) {
        int bpp = mode.bpp();
        if (bpp == 32) {
            return;
        }
        int src = y * mode.width() * mode.bytesPerPixel();
        int dst = y * mode.width() * 4;
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
            out[q] = (byte) b;
            out[q + 1] = (byte) g;
            out[q + 2] = (byte) r;
            out[q + 3] = (byte) 0xff;
        }
    }

    /** Scales a 5-bit channel to 8 bits so that full intensity stays full (0x1f -> 0xff). */
    private static int expand5(int c) {
        return c << 3 | c >>> 2;
    }

    private static int expand6(int c) {
        return c << 2 | c >>> 4;
    }

    private static Scanout scanout(VbeMode mode) {
        return new Scanout(0, FORMAT, 0, 0, mode.width(), mode.height());
    }

    private static Rect full(VbeMode mode) {
        return new Rect(0, 0, mode.width(), mode.height());
    }

    /**
     * The picture shown now, read under this object's lock, so never while {@link #refresh}
     * writes it; it no longer reads once the mode changed (a new picture and its update follow).
     */
    private Pixels pixels() {
        byte[] picture = out;
        int width = shown.width();
        int height = shown.height();
        return new Pixels() {
            @Override
            public int format() {
                return FORMAT;
            }

            @Override
            public int width() {
                return width;
            }

            @Override
            public int height() {
                return height;
            }

            @Override
            public boolean read(Consumer<Frame> reader) {
                synchronized (VgaScreen.this) {
                    if (out != picture) {
                        return false;
                    }
                    // A fresh read-only view each time: one reader moving its position shifts no one else's pixels.
                    reader.accept(new Frame(FORMAT, width, height, width * 4,
                            ByteBuffer.wrap(picture).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN)));
                    return true;
                }
            }
        };
    }

    private void each(String method, Consumer<DisplaySink> call) {
        for (DisplaySink sink : List.copyOf(sinks)) {
            call(sink, method, call);
        }
    }

    private void call(DisplaySink sink, String method, Consumer<DisplaySink> call) {
        try {
            call.accept(sink);
        } catch (RuntimeException | LinkageError e) {
            log.host("sink " + sink.getClass().getName() + "@" + Integer.toHexString(System.identityHashCode(sink))
                    + "." + method, "a display sink threw; the VGA display and the other sinks go on", e);
        }
    }
}
