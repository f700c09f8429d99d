package dev.neep.gpu.api;

/**
 * A cursor picture: {@code width} x {@code height} pixels as packed ARGB ints (row-major,
 * a copy the sink may keep), with its hot spot.
 */
public record CursorImage(int width, int height, int hotX, int hotY, int[] argb) {
}
