package dev.neep.gpu.api;

/** A rectangle in scanout or resource coordinates. */
public record Rect(int x, int y, int width, int height) {
}
