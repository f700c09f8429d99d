package dev.neep.gpu.api;

import java.nio.ByteBuffer;

/**
 * Read access to pixels: {@code width} x {@code height} in virtio-gpu {@code format}
 * (VIRTIO_GPU_FORMAT_*), row {@code y} starting {@code y * stride} bytes after the
 * buffer's position. The buffer is read-only and valid only for the call it is given in
 * (or, from a backend, until the next call on that backend): copy what you keep.
 */
public record Frame(int format, int width, int height, int stride, ByteBuffer pixels) {
}
