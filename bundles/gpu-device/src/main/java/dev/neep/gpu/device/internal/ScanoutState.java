package dev.neep.gpu.device.internal;

import dev.neep.gpu.api.Scanout;

/**
 * What one enabled scanout shows: rectangle ({@code x}, {@code y}, {@code width}, {@code height})
 * of a resource. For a blob scanout (SET_SCANOUT_BLOB) the pixels are {@code stride} bytes a row
 * and the rectangle's top-left pixel is at byte {@code offset} of the blob.
 */
record ScanoutState(int resourceId, boolean blob, int format, int x, int y, int width, int height, int stride,
        long offset) {

    static ScanoutState of(Resource r, int x, int y, int width, int height) {
        return new ScanoutState(r.id, false, r.format, x, y, width, height, 0, 0);
    }

    static ScanoutState ofBlob(Resource r, int format, int x, int y, int width, int height, int stride,
            long offset) {
        return new ScanoutState(r.id, true, format, x, y, width, height, stride, offset);
    }

    Scanout toScanout() {
        return new Scanout(resourceId, format, x, y, width, height);
    }
}
