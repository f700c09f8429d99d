package dev.neep.display.headless;

import dev.neep.gpu.protocol.Rect;

/**
 * The facts of one frame update: the frame's size and virtio-gpu format, the dirty rectangle,
 * and the CRC32 of the scanout's pixels in that format, row by row without stride padding (so
 * equal pictures in equal formats give equal checksums whatever their strides).
 */
public record FrameFacts(int width, int height, int format, Rect dirty, long crc32) {
}
