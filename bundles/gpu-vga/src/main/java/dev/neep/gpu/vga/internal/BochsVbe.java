package dev.neep.gpu.vga.internal;

import dev.neep.virtio.OnceLog;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Bochs VBE "DISPI" registers, as QEMU's VGA devices have them: an index register and a
 * 16-bit data register (I/O ports 0x1ce/0x1cf, or flat in the MMIO BAR at 0x500 + index * 2).
 * Firmware and early boot code use them to set a linear framebuffer mode in the VRAM.
 *
 * <p>Rules kept here, where QEMU would instead clamp a value into range:
 * <ul>
 *   <li>A mode is checked when ENABLED is set: 15, 16, 24 or 32 bpp (4 and 8 need the VGA
 *       palette, which is not modelled), a resolution of at least 1 x 1 within the maximum,
 *       and the whole picture inside the VRAM. A mode that fails stays disabled; the cause is
 *       logged once.</li>
 *   <li>XRES, YRES and BPP beyond what DISPI can name are refused at the write, and so is any
 *       change to them while enabled (disable first, as drivers do).</li>
 *   <li>VIRT_WIDTH, VIRT_HEIGHT, X_OFFSET and Y_OFFSET written while enabled must keep the
 *       visible picture inside the virtual screen and the VRAM, or are refused.</li>
 * </ul>
 * Thread-safe: vCPU threads and the display tick share one lock.
 */
public final class BochsVbe {
    public static final int INDEX_ID = 0x0;
    public static final int INDEX_XRES = 0x1;
    public static final int INDEX_YRES = 0x2;
    public static final int INDEX_BPP = 0x3;
    public static final int INDEX_ENABLE = 0x4;
    public static final int INDEX_BANK = 0x5;
    public static final int INDEX_VIRT_WIDTH = 0x6;
    public static final int INDEX_VIRT_HEIGHT = 0x7;
    public static final int INDEX_X_OFFSET = 0x8;
    public static final int INDEX_Y_OFFSET = 0x9;
    public static final int INDEX_VIDEO_MEMORY_64K = 0xa;
    /** Registers there are; an index at or past this reads 0 and ignores writes. */
    public static final int INDEX_COUNT = 0xb;

    public static final int ID0 = 0xb0c0;
    public static final int ID5 = 0xb0c5;

    public static final int ENABLED = 0x01;
    public static final int GETCAPS = 0x02;
    public static final int DAC_8BIT = 0x20;
    public static final int LFB_ENABLED = 0x40;
    public static final int NOCLEARMEM = 0x80;

    public static final int MAX_XRES = 16000;
    public static final int MAX_YRES = 12000;
    public static final int MAX_BPP = 32;

    private static final Logger LOG = LoggerFactory.getLogger(BochsVbe.class);

    private final Vram vram;
    private final OnceLog log;
    private final int bankMask;
    private int index;
    private int id;
    private int xres;
    private int yres;
    private int bpp;
    private int enable;
    private int bank;
    private int virtWidth;
    private int virtHeight;
    private int xOffset;
    private int yOffset;

    public BochsVbe(Vram vram) {
        this.vram = vram;
        this.log = new OnceLog(LOG, "bochs-vbe");
        this.bankMask = (vram.size() >>> 16) - 1;
        reset();
    }

    /** Bytes per pixel in VRAM for a DISPI bpp value, 0 for one that has no packed pixel. */
    static int bytesPerPixel(int bpp) {
        return switch (bpp) {
            case 8 -> 1;
            case 15, 16 -> 2;
            case 24 -> 3;
            case 32 -> 4;
            default -> 0;
        };
    }

    /** True for the depths the display side can show. */
    static boolean shown(int bpp) {
        return bpp == 15 || bpp == 16 || bpp == 24 || bpp == 32;
    }

    private static boolean nameable(int bpp) {
        return bpp == 4 || bpp == 8 || shown(bpp);
    }

    /** Power-on state: disabled, ID5 announced, geometry zero. */
    public synchronized void reset() {
        index = 0;
        id = ID5;
        xres = 0;
        yres = 0;
        bpp = 0;
        enable = 0;
        bank = 0;
        virtWidth = 0;
        virtHeight = 0;
        xOffset = 0;
        yOffset = 0;
    }

    public synchronized int readIndex() {
        return index;
    }

    public synchronized void writeIndex(int value) {
        index = value & 0xffff;
    }

    public synchronized int readData() {
        return read(index);
    }

    public synchronized void writeData(int value) {
        write(index, value);
    }

    /** Reads register {@code reg} (the MMIO BAR addresses registers directly). */
    public synchronized int read(int reg) {
        boolean caps = (enable & GETCAPS) != 0;
        return switch (reg) {
            case INDEX_ID -> id;
            case INDEX_XRES -> caps ? MAX_XRES : xres;
            case INDEX_YRES -> caps ? MAX_YRES : yres;
            case INDEX_BPP -> caps ? MAX_BPP : bpp;
            case INDEX_ENABLE -> enable;
            case INDEX_BANK -> bank;
            case INDEX_VIRT_WIDTH -> virtWidth;
            case INDEX_VIRT_HEIGHT -> virtHeight;
            case INDEX_X_OFFSET -> xOffset;
            case INDEX_Y_OFFSET -> yOffset;
            case INDEX_VIDEO_MEMORY_64K -> Math.min(0xffff, vram.size() >>> 16);
            default -> {
                log.guest("read of a register that does not exist", String.format("index 0x%x", reg));
                yield 0;
            }
        };
    }

    /** Writes register {@code reg}; refused values leave it as it was and are logged once per cause. */
    public synchronized void write(int reg, int value) {
        int v = value & 0xffff;
        boolean on = (enable & ENABLED) != 0;
        switch (reg) {
            case INDEX_ID -> {
                if (v >= ID0 && v <= ID5) {
                    id = v;
                } else {
                    log.guest("unknown DISPI id", String.format("0x%04x (0x%04x..0x%04x are known)", v, ID0, ID5));
                }
            }
            case INDEX_XRES -> {
                if (geometryWritable(on, "XRES", v, MAX_XRES)) {
                    xres = v;
                }
            }
            case INDEX_YRES -> {
                if (geometryWritable(on, "YRES", v, MAX_YRES)) {
                    yres = v;
                }
            }
            case INDEX_BPP -> {
                if (on) {
                    log.guest("mode change while enabled", "BPP " + v + " written while VBE is enabled");
                } else if (!nameable(v)) {
                    log.guest("BPP out of range", v + " is not 4, 8, 15, 16, 24 or 32");
                } else {
                    bpp = v;
                }
            }
            case INDEX_ENABLE -> writeEnable(v, on);
            case INDEX_BANK -> bank = v & bankMask;
            case INDEX_VIRT_WIDTH -> {
                if (!on) {
                    virtWidth = v;
                } else if (fits(v, virtHeightFor(v), xOffset, yOffset, "VIRT_WIDTH " + v)) {
                    virtWidth = v;
                    virtHeight = virtHeightFor(v);
                }
            }
            case INDEX_VIRT_HEIGHT -> {
                if (!on || fits(virtWidth, v, xOffset, yOffset, "VIRT_HEIGHT " + v)) {
                    virtHeight = v;
                }
            }
            case INDEX_X_OFFSET -> {
                if (!on || fits(virtWidth, virtHeight, v, yOffset, "X_OFFSET " + v)) {
                    xOffset = v;
                }
            }
            case INDEX_Y_OFFSET -> {
                if (!on || fits(virtWidth, virtHeight, xOffset, v, "Y_OFFSET " + v)) {
                    yOffset = v;
                }
            }
            case INDEX_VIDEO_MEMORY_64K -> log.guest("write to a read-only register",
                    "VIDEO_MEMORY_64K is the VRAM size");
            default -> log.guest("write to a register that does not exist", String.format("index 0x%x", reg));
        }
    }

    /** The mode on screen, or empty while VBE is disabled. */
    public synchronized Optional<VbeMode> mode() {
        if ((enable & ENABLED) == 0) {
            return Optional.empty();
        }
        int bytes = bytesPerPixel(bpp);
        int line = virtWidth * bytes;
        return Optional.of(new VbeMode(xres, yres, bpp, line, (long) yOffset * line + (long) xOffset * bytes));
    }

    private boolean geometryWritable(boolean on, String name, int v, int max) {
        if (on) {
            log.guest("mode change while enabled", name + " " + v + " written while VBE is enabled");
            return false;
        }
        if (v > max) {
            log.guest(name + " out of range", v + " is above the maximum " + max);
            return false;
        }
        return true;
    }

    private void writeEnable(int v, boolean on) {
        if ((v & ENABLED) == 0 || on) {
            enable = v;
            return;
        }
        String refused = refusal();
        if (refused != null) {
            log.guest("mode refused", refused + "; VBE stays disabled");
            enable = v & ~ENABLED;
            return;
        }
        int line = xres * bytesPerPixel(bpp);
        virtWidth = xres;
        virtHeight = virtHeightFor(xres);
        xOffset = 0;
        yOffset = 0;
        bank = 0;
        enable = v;
        if ((v & NOCLEARMEM) == 0) {
            vram.clear(0, (long) line * yres);
        }
    }

    /** Why the current registers cannot be enabled, or null when they can. */
    private String refusal() {
        if (!shown(bpp)) {
            return bpp + " bpp is not supported (15, 16, 24 and 32 are)";
        }
        if (xres == 0 || yres == 0) {
            return "resolution " + xres + "x" + yres + " is empty";
        }
        long bytes = (long) xres * bytesPerPixel(bpp) * yres;
        if (bytes > vram.size()) {
            return String.format("%dx%d at %d bpp needs %d bytes, the VRAM has %d", xres, yres, bpp, bytes,
                    vram.size());
        }
        return null;
    }

    /** Rows of {@code width} pixels the VRAM holds, as DISPI reports VIRT_HEIGHT. */
    private int virtHeightFor(int width) {
        long line = (long) width * bytesPerPixel(bpp);
        return line == 0 ? 0 : (int) Math.min(0xffff, vram.size() / line);
    }

    private boolean fits(int width, int height, int x, int y, String what) {
        long line = (long) width * bytesPerPixel(bpp);
        boolean ok = width >= xres && height >= yres && (long) x + xres <= width && (long) y + yres <= height
                && (long) (y + yres) * line <= vram.size();
        if (!ok) {
            log.guest("virtual screen refused", String.format("%s would put the %dx%d picture outside the %dx%d"
                    + " virtual screen or the VRAM", what, xres, yres, width, height));
        }
        return ok;
    }
}
