package dev.neep.gpu.device.internal;

/**
 * The Gallium texture targets ({@code enum pipe_texture_target}) that RESOURCE_CREATE_3D carries,
 * and the most the device can check of a 3D box without knowing the renderer's formats.
 */
final class Gallium {
    static final int BUFFER = 0;
    static final int TEXTURE_1D = 1;
    static final int TEXTURE_2D = 2;
    static final int TEXTURE_3D = 3;
    static final int TEXTURE_CUBE = 4;
    static final int TEXTURE_RECT = 5;
    static final int TEXTURE_1D_ARRAY = 6;
    static final int TEXTURE_2D_ARRAY = 7;
    static final int TEXTURE_CUBE_ARRAY = 8;
    /** PIPE_MAX_TEXTURE_TYPES: targets are 0..8. */
    static final int TARGET_COUNT = 9;
    /** A mip chain of a 2^32 texture has 33 levels; anything above 31 cannot be a real last_level. */
    static final int MAX_LAST_LEVEL = 31;

    private Gallium() {
    }

    /**
     * True when the box ({@code x, y, z, w, h, d}, all u32) lies inside the resource's level-0
     * extent, where array layers count as height (1D arrays) or depth (2D arrays, cubes).
     * Smaller mip levels are the renderer's to check: this bound never rejects a valid box,
     * and catches every box that reaches outside the resource's largest level.
     */
    static boolean boxInside(Resource r, int x, int y, int z, int w, int h, int d) {
        long ySpan = Math.max(Integer.toUnsignedLong(r.height), Integer.toUnsignedLong(r.arraySize));
        long zSpan = Math.max(Integer.toUnsignedLong(r.depth), Integer.toUnsignedLong(r.arraySize));
        return end(x, w) <= Integer.toUnsignedLong(r.width) && end(y, h) <= ySpan && end(z, d) <= zSpan;
    }

    private static long end(int start, int length) {
        // two u32 summed in a long cannot overflow
        return Integer.toUnsignedLong(start) + Integer.toUnsignedLong(length);
    }
}
