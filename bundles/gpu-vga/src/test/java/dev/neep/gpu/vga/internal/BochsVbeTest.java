package dev.neep.gpu.vga.internal;

import static dev.neep.gpu.vga.internal.BochsVbe.ENABLED;
import static dev.neep.gpu.vga.internal.BochsVbe.GETCAPS;
import static dev.neep.gpu.vga.internal.BochsVbe.INDEX_BANK;
import static dev.neep.gpu.vga.internal.BochsVbe.INDEX_BPP;
import static dev.neep.gpu.vga.internal.BochsVbe.INDEX_ENABLE;
import static dev.neep.gpu.vga.internal.BochsVbe.INDEX_ID;
import static dev.neep.gpu.vga.internal.BochsVbe.INDEX_VIDEO_MEMORY_64K;
import static dev.neep.gpu.vga.internal.BochsVbe.INDEX_VIRT_HEIGHT;
import static dev.neep.gpu.vga.internal.BochsVbe.INDEX_VIRT_WIDTH;
import static dev.neep.gpu.vga.internal.BochsVbe.INDEX_XRES;
import static dev.neep.gpu.vga.internal.BochsVbe.INDEX_X_OFFSET;
import static dev.neep.gpu.vga.internal.BochsVbe.INDEX_YRES;
import static dev.neep.gpu.vga.internal.BochsVbe.INDEX_Y_OFFSET;
import static dev.neep.gpu.vga.internal.BochsVbe.LFB_ENABLED;
import static dev.neep.gpu.vga.internal.BochsVbe.NOCLEARMEM;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.Optional;
import org.junit.Test;

public class BochsVbeTest {
    private static final int VRAM_SIZE = 4 << 20;
    private final Vram vram = new Vram(VRAM_SIZE, false);
    private final BochsVbe vbe = new BochsVbe(vram);

    private void mode(int xres, int yres, int bpp) {
        vbe.write(INDEX_ENABLE, 0);
        vbe.write(INDEX_XRES, xres);
        vbe.write(INDEX_YRES, yres);
        vbe.write(INDEX_BPP, bpp);
    }

    @Test
    public void idReadsId5AtPowerOn() {
        assertEquals(0xb0c5, vbe.read(INDEX_ID));
    }

    @Test
    public void idNegotiationKeepsOnlyKnownIds() {
        vbe.write(INDEX_ID, 0xb0c2);
        assertEquals("a driver asking for an older interface gets it", 0xb0c2, vbe.read(INDEX_ID));
        vbe.write(INDEX_ID, 0xb0c6);
        assertEquals("a newer id than ID5 is not claimed", 0xb0c2, vbe.read(INDEX_ID));
        vbe.write(INDEX_ID, 0x1234);
        assertEquals(0xb0c2, vbe.read(INDEX_ID));
    }

    @Test
    public void indexAndDataPortsReachTheRegisters() {
        vbe.writeIndex(INDEX_XRES);
        vbe.writeData(640);
        assertEquals(INDEX_XRES, vbe.readIndex());
        assertEquals(640, vbe.readData());
        assertEquals(640, vbe.read(INDEX_XRES));
    }

    @Test
    public void enableWithASupportedModeSetsTheVirtualScreen() {
        mode(640, 480, 32);
        vbe.write(INDEX_ENABLE, ENABLED | LFB_ENABLED);
        assertEquals(ENABLED | LFB_ENABLED, vbe.read(INDEX_ENABLE));
        assertEquals(640, vbe.read(INDEX_VIRT_WIDTH));
        assertEquals(VRAM_SIZE / (640 * 4), vbe.read(INDEX_VIRT_HEIGHT));
        assertEquals(0, vbe.read(INDEX_X_OFFSET));
        assertEquals(0, vbe.read(INDEX_Y_OFFSET));
        assertEquals(Optional.of(new VbeMode(640, 480, 32, 640 * 4, 0)), vbe.mode());
    }

    @Test
    public void disableTakesTheModeOffScreen() {
        mode(640, 480, 16);
        vbe.write(INDEX_ENABLE, ENABLED);
        assertTrue(vbe.mode().isPresent());
        vbe.write(INDEX_ENABLE, 0);
        assertEquals(Optional.empty(), vbe.mode());
        assertEquals("the registers keep the mode for the next enable", 640, vbe.read(INDEX_XRES));
    }

    @Test
    public void getcapsReadsTheMaximums() {
        mode(640, 480, 32);
        vbe.write(INDEX_ENABLE, GETCAPS);
        assertEquals(BochsVbe.MAX_XRES, vbe.read(INDEX_XRES));
        assertEquals(BochsVbe.MAX_YRES, vbe.read(INDEX_YRES));
        assertEquals(32, vbe.read(INDEX_BPP));
        vbe.write(INDEX_ENABLE, 0);
        assertEquals(640, vbe.read(INDEX_XRES));
    }

    @Test
    public void eightBppLeavesVbeDisabled() {
        mode(640, 480, 8);
        assertEquals("8 is a DISPI depth, so the register takes it", 8, vbe.read(INDEX_BPP));
        vbe.write(INDEX_ENABLE, ENABLED | LFB_ENABLED);
        assertEquals("the palette is not modelled: no 8 bpp mode", LFB_ENABLED, vbe.read(INDEX_ENABLE));
        assertEquals(Optional.empty(), vbe.mode());
    }

    @Test
    public void depthsDispiCannotNameAreRefusedAtTheWrite() {
        mode(640, 480, 32);
        vbe.write(INDEX_BPP, 12);
        assertEquals(32, vbe.read(INDEX_BPP));
    }

    @Test
    public void resolutionAboveTheMaximumIsRefusedAtTheWrite() {
        mode(640, 480, 32);
        vbe.write(INDEX_XRES, BochsVbe.MAX_XRES + 1);
        vbe.write(INDEX_YRES, BochsVbe.MAX_YRES + 1);
        assertEquals(640, vbe.read(INDEX_XRES));
        assertEquals(480, vbe.read(INDEX_YRES));
    }

    @Test
    public void emptyResolutionLeavesVbeDisabled() {
        mode(0, 480, 32);
        vbe.write(INDEX_ENABLE, ENABLED);
        assertEquals(Optional.empty(), vbe.mode());
    }

    @Test
    public void modeLargerThanTheVramLeavesVbeDisabled() {
        mode(1920, 1080, 32);
        vbe.write(INDEX_ENABLE, ENABLED);
        assertEquals("1920x1080x4 bytes do not fit 4 MiB", 0, vbe.read(INDEX_ENABLE) & ENABLED);
        mode(1920, 1080, 16);
        vbe.write(INDEX_ENABLE, ENABLED);
        assertEquals("at 16 bpp they do", ENABLED, vbe.read(INDEX_ENABLE) & ENABLED);
    }

    @Test
    public void geometryWritesWhileEnabledAreRefused() {
        mode(640, 480, 32);
        vbe.write(INDEX_ENABLE, ENABLED);
        vbe.write(INDEX_XRES, 800);
        vbe.write(INDEX_YRES, 600);
        vbe.write(INDEX_BPP, 16);
        assertEquals(Optional.of(new VbeMode(640, 480, 32, 640 * 4, 0)), vbe.mode());
    }

    @Test
    public void enableClearsTheVisibleMemoryUnlessNoClearMem() {
        mode(64, 32, 32);
        vram.write(0, 4, 0x00ff_0000);
        vram.write(64 * 4 * 31, 4, 0x00ff_0000);
        vbe.write(INDEX_ENABLE, ENABLED | NOCLEARMEM);
        assertEquals(0x00ff_0000, vram.read(0, 4));
        vbe.write(INDEX_ENABLE, 0);
        vbe.write(INDEX_ENABLE, ENABLED);
        assertEquals(0, vram.read(0, 4));
        assertEquals(0, vram.read(64 * 4 * 31, 4));
    }

    @Test
    public void panningMovesTheFirstPixelAndStaysInsideTheVirtualScreen() {
        mode(640, 480, 32);
        vbe.write(INDEX_ENABLE, ENABLED);
        vbe.write(INDEX_VIRT_WIDTH, 800);
        assertEquals(800, vbe.read(INDEX_VIRT_WIDTH));
        assertEquals(VRAM_SIZE / (800 * 4), vbe.read(INDEX_VIRT_HEIGHT));
        vbe.write(INDEX_X_OFFSET, 160);
        vbe.write(INDEX_Y_OFFSET, 100);
        assertEquals(Optional.of(new VbeMode(640, 480, 32, 800 * 4, 100L * 800 * 4 + 160 * 4)), vbe.mode());

        vbe.write(INDEX_X_OFFSET, 161);
        assertEquals("161 + 640 passes the virtual width", 160, vbe.read(INDEX_X_OFFSET));
        vbe.write(INDEX_Y_OFFSET, vbe.read(INDEX_VIRT_HEIGHT) - 479);
        assertEquals(100, vbe.read(INDEX_Y_OFFSET));
        vbe.write(INDEX_VIRT_WIDTH, 639);
        assertEquals("narrower than the picture", 800, vbe.read(INDEX_VIRT_WIDTH));
        vbe.write(INDEX_VIRT_HEIGHT, 479);
        assertEquals(VRAM_SIZE / (800 * 4), vbe.read(INDEX_VIRT_HEIGHT));
    }

    @Test
    public void bankIsMaskedToTheVram() {
        vbe.write(INDEX_BANK, 0xffff);
        assertEquals(VRAM_SIZE / 0x10000 - 1, vbe.read(INDEX_BANK));
    }

    @Test
    public void videoMemory64kIsTheVramSizeAndReadOnly() {
        assertEquals(VRAM_SIZE >> 16, vbe.read(INDEX_VIDEO_MEMORY_64K));
        vbe.write(INDEX_VIDEO_MEMORY_64K, 1);
        assertEquals(VRAM_SIZE >> 16, vbe.read(INDEX_VIDEO_MEMORY_64K));
    }

    @Test
    public void indexPastTheRegistersReadsZeroAndIgnoresWrites() {
        vbe.writeIndex(0x20);
        vbe.writeData(0x1234);
        assertEquals(0, vbe.readData());
    }

    @Test
    public void resetDisablesAndForgetsTheMode() {
        mode(640, 480, 32);
        vbe.write(INDEX_ENABLE, ENABLED);
        vbe.write(INDEX_ID, 0xb0c0);
        vbe.reset();
        assertEquals(Optional.empty(), vbe.mode());
        assertEquals(0xb0c5, vbe.read(INDEX_ID));
        assertEquals(0, vbe.read(INDEX_XRES));
        assertFalse((vbe.read(INDEX_ENABLE) & ENABLED) != 0);
    }

    @Test
    public void vramSizeMustBeAPowerOfTwo() {
        assertThrows(IllegalArgumentException.class, () -> new Vram(3 << 20, false));
        assertThrows(IllegalArgumentException.class, () -> new Vram(1 << 19, false));
    }
}
