/* The 3D guest's scene, as gl3d draws it with GLES2 and as the pixels must come out.
 * guest/checkpattern.py --scene 3d computes the same pixels on the host; keep the two in
 * step. Coordinates are screen pixels, row 0 at the top.
 *
 * Upper half, rows y < h/2: eight vertical bars, index x*8/w, coloured black, blue, red,
 *   magenta, green, cyan, yellow, white (the 2D pattern's bars reversed, so neither
 *   picture can pass for the other). Drawn as one quad each, vertex colours.
 * Lower half: computed by the fragment shader from gl_FragCoord: red = x & 255,
 *   green = y & 255, blue = 255 where (x/32 + y/32) is odd, else 0.
 * Bottom-right 128x128 square (x >= w-128, y >= h-128): a 4x4 texture sampled NEAREST,
 *   32x32 pixels a texel; texel (u, v), v counted from the top, is
 *   (80u + 15, 80v + 15, 255 - 30(u + v)).
 * Every edge lies on a pixel boundary and every value is exact in 8-bit unorm, so the
 * renderer has no rounding left to choose. The screen must be at least 256x256.
 */
#ifndef NEEP_SCENE3D_H
#define NEEP_SCENE3D_H

#include <stdint.h>

#define SCENE3D_TEX 128 /* the textured square's side in pixels */
#define SCENE3D_TEXELS 4 /* texels a side */

struct rgb3 { uint8_t r, g, b; };

static const struct rgb3 scene3d_bars[8] = {
    {0x00, 0x00, 0x00}, {0x00, 0x00, 0xff}, {0xff, 0x00, 0x00}, {0xff, 0x00, 0xff},
    {0x00, 0xff, 0x00}, {0x00, 0xff, 0xff}, {0xff, 0xff, 0x00}, {0xff, 0xff, 0xff},
};

static inline struct rgb3 scene3d_texel(uint32_t u, uint32_t v)
{
    struct rgb3 p = {(uint8_t)(80 * u + 15), (uint8_t)(80 * v + 15), (uint8_t)(255 - 30 * (u + v))};
    return p;
}

static inline struct rgb3 scene3d_pixel(uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
    if (y < h / 2)
        return scene3d_bars[(uint64_t)x * 8 / w];
    if (x >= w - SCENE3D_TEX && y >= h - SCENE3D_TEX)
        return scene3d_texel((x - (w - SCENE3D_TEX)) / (SCENE3D_TEX / SCENE3D_TEXELS),
                             (y - (h - SCENE3D_TEX)) / (SCENE3D_TEX / SCENE3D_TEXELS));
    struct rgb3 p = {(uint8_t)x, (uint8_t)y, (uint8_t)((((x >> 5) + (y >> 5)) & 1) ? 0xff : 0)};
    return p;
}

#endif
