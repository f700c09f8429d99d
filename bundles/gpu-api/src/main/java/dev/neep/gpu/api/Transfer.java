package dev.neep.gpu.api;

import dev.neep.gpu.protocol.Rect;

/**
 * A transfer between a resource and its guest backing, as {@code struct rutabaga_transfer}
 * carries it: a box in the resource, the mip level, the guest-side {@code stride} and
 * {@code layerStride} (0 = derived from the box), and the byte {@code offset} into the
 * backing where the box starts. TRANSFER_TO_HOST_2D becomes a box of depth 1 with
 * stride 0, its offset as given.
 */
public record Transfer(int x, int y, int z, int width, int height, int depth, int level, int stride,
        int layerStride, long offset) {

    public static Transfer of2d(int x, int y, int width, int height, long offset) {
        return new Transfer(x, y, 0, width, height, 1, 0, 0, 0, offset);
    }

    /** The box in the x/y plane. */
    public Rect rect() {
        return new Rect(x, y, width, height);
    }
}
