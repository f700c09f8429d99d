package dev.neep.gpu.vga.internal;

/**
 * The picture an enabled VBE shows: {@code width} x {@code height} pixels of {@code bpp} bits,
 * the first at byte {@code start} of the VRAM, rows {@code lineBytes} apart.
 */
public record VbeMode(int width, int height, int bpp, int lineBytes, long start) {

    /** Bytes one pixel takes in VRAM (15 bpp is packed in 16 bits). */
    public int bytesPerPixel() {
        return BochsVbe.bytesPerPixel(bpp);
    }
}
