package dev.neep.gpu.api;

/**
 * A scanout's geometry: {@code width} x {@code height} pixels in virtio-gpu {@code format},
 * taken from the rectangle at ({@code x}, {@code y}) of resource {@code resourceId}.
 */
public record Scanout(int resourceId, int format, int x, int y, int width, int height) {
}
