/* The demo guest's test pattern. guest/checkpattern.py computes the same pixels on the
 * host, so a screendump can be compared exactly; keep the two in step.
 *
 * Upper half, rows y < h/2: eight equal-width vertical bars, index x*8/w, coloured
 *   white, yellow, cyan, green, magenta, red, blue, black.
 * Lower half: red ramps with x (x*255/(w-1)), green ramps with the row inside the half
 *   ((y-h/2)*255/(h-h/2-1)), blue is the low byte of x XOR y, so every pixel differs from
 *   its neighbours and a shifted, scaled or channel-swapped image cannot match.
 * All divisions are integer divisions.
 */
#ifndef NEEP_PATTERN_H
#define NEEP_PATTERN_H

#include <stdint.h>

struct rgb { uint8_t r, g, b; };

static inline struct rgb pattern_pixel(uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
    static const struct rgb bars[8] = {
        {0xff, 0xff, 0xff}, {0xff, 0xff, 0x00}, {0x00, 0xff, 0xff}, {0x00, 0xff, 0x00},
        {0xff, 0x00, 0xff}, {0xff, 0x00, 0x00}, {0x00, 0x00, 0xff}, {0x00, 0x00, 0x00},
    };
    uint32_t half = h / 2;
    if (y < half)
        return bars[(uint64_t)x * 8 / w];
    uint32_t rows = h - half;
    struct rgb p;
    p.r = w > 1 ? (uint8_t)((uint64_t)x * 255 / (w - 1)) : 0;
    p.g = rows > 1 ? (uint8_t)((uint64_t)(y - half) * 255 / (rows - 1)) : 0;
    p.b = (uint8_t)(x ^ y);
    return p;
}

#endif
