package dev.neep.gpu.api;

import java.nio.ByteBuffer;

/**
 * A view of pixels: {@code width} x {@code height} in virtio-gpu {@code format}
 * (VIRTIO_GPU_FORMAT_*), row {@code y} starting {@code y * stride} bytes after the buffer's
 * position. How long it may be read is said where one is handed out: by a backend
 * ({@link GpuBackend#frame}) or to a sink's reader ({@link Pixels#read}).
 */
public record Frame(int format, int width, int height, int stride, ByteBuffer pixels) {
}
