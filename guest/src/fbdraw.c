/* fbdraw: paint pattern.h on a Linux framebuffer device and say so on stdout.
 *
 *   fbdraw [--live] [/dev/fbN]
 *
 * --live (the demo): after the pattern, keep the screen alive: a clock (the guest's time,
 * HH:MM:SS) and a bar sweeping under it, redrawn four times a second in a box at the bottom
 * of the lower half, until killed. The pixel-exact checks run without it.
 * Pixels go through a shared mmap of the device, not write(): Debian 12's 6.1 kernel
 * never sends damage from write() on the DRM fbdev emulation to the GPU, while pages
 * dirtied through the mapping are flushed by deferred I/O (and at once by msync).
 * Prints "NEEP-PATTERN-DRAWN WxH stride=S bpp=B" once the flush was requested.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fb.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "pattern.h"

/* Puts an 8-bit channel value into the field the driver describes (offset/length). */
static uint32_t field(uint8_t v, const struct fb_bitfield *f)
{
    if (f->length == 0)
        return 0;
    uint32_t bits = f->length >= 8 ? (uint32_t)v << (f->length - 8) : (uint32_t)v >> (8 - f->length);
    return bits << f->offset;
}

/* msync on the framebuffer runs its deferred I/O at once instead of after the delay */
static void flush(uint8_t *fb, size_t len)
{
    if (msync(fb, len, MS_SYNC) < 0)
        fprintf(stderr, "fbdraw: msync: %s\n", strerror(errno));
}

/* 5x7 glyphs of "0123456789:", one row per byte, bit 4 the leftmost column */
static const uint8_t glyphs[11][7] = {
    {14, 17, 19, 21, 25, 17, 14}, {4, 12, 4, 4, 4, 4, 14}, {14, 17, 1, 2, 4, 8, 31},
    {31, 2, 4, 2, 1, 17, 14}, {2, 6, 10, 18, 31, 2, 2}, {31, 16, 30, 1, 1, 17, 14},
    {6, 8, 16, 30, 17, 17, 14}, {31, 1, 2, 4, 8, 8, 8}, {14, 17, 17, 14, 17, 17, 14},
    {14, 17, 17, 15, 1, 2, 12}, {0, 12, 12, 0, 12, 12, 0},
};

struct screen {
    uint8_t *fb;
    uint32_t w, h, stride, bpp, alpha;
    struct fb_var_screeninfo var;
};

static void put(struct screen *s, uint32_t x, uint32_t y, struct rgb c)
{
    if (x >= s->w || y >= s->h)
        return;
    uint32_t px = field(c.r, &s->var.red) | field(c.g, &s->var.green) | field(c.b, &s->var.blue) | s->alpha;
    uint8_t *line = s->fb + (size_t)y * s->stride;
    if (s->bpp == 32)
        ((uint32_t *)line)[x] = px;
    else
        ((uint16_t *)line)[x] = (uint16_t)px;
}

/* Redraws the clock box until killed: HH:MM:SS and a bar that crosses the box each second. */
static void live(struct screen *s)
{
    uint32_t scale = s->w >= 640 ? 6 : 2, cw = 6 * scale, box_w = 8 * cw + 2 * scale;
    uint32_t box_h = 7 * scale + 5 * scale, x0 = s->w > box_w ? (s->w - box_w) / 2 : 0;
    uint32_t y0 = s->h > box_h + 2 * scale ? s->h - box_h - 2 * scale : 0;
    const struct rgb bg = {0x10, 0x10, 0x30}, fg = {0xff, 0xff, 0xff}, bar = {0xff, 0xc0, 0x00};
    for (unsigned tick = 0;; tick++) {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        struct tm tm;
        gmtime_r(&now.tv_sec, &tm);
        char text[9];
        snprintf(text, sizeof text, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
        uint32_t sweep = (uint32_t)((uint64_t)now.tv_nsec * box_w / 1000000000u);
        for (uint32_t y = 0; y < box_h; y++)
            for (uint32_t x = 0; x < box_w; x++) {
                struct rgb c = bg;
                uint32_t gx = x > scale ? (x - scale) / scale : 0, gy = y > scale ? (y - scale) / scale : 0;
                uint32_t ch = gx / 6, col = gx % 6;
                if (x >= scale && y >= scale && ch < 8 && col < 5 && gy < 7) {
                    int g = text[ch] == ':' ? 10 : text[ch] - '0';
                    if (glyphs[g][gy] & (16 >> col))
                        c = fg;
                }
                if (y >= box_h - 2 * scale && x <= sweep)
                    c = bar;
                put(s, x0 + x, y0 + y, c);
            }
        /* msync wants a page-aligned start */
        size_t from = (size_t)y0 * s->stride & ~(size_t)4095, to = (size_t)(y0 + box_h) * s->stride;
        flush(s->fb + from, to - from);
        if (tick == 0) {
            printf("NEEP-LIVE clock at %ux%u+%u+%u\n", box_w, box_h, x0, y0);
            fflush(stdout);
        }
        usleep(250000);
    }
}

int main(int argc, char **argv)
{
    int alive = argc > 1 && strcmp(argv[1], "--live") == 0;
    if (alive) {
        argc--;
        argv++;
    }
    const char *path = argc > 1 ? argv[1] : "/dev/fb0";
    int fd = open(path, O_RDWR);
    if (fd < 0) {
        fprintf(stderr, "fbdraw: %s: %s\n", path, strerror(errno));
        return 1;
    }
    struct fb_var_screeninfo var;
    struct fb_fix_screeninfo fix;
    if (ioctl(fd, FBIOGET_VSCREENINFO, &var) < 0 || ioctl(fd, FBIOGET_FSCREENINFO, &fix) < 0) {
        fprintf(stderr, "fbdraw: %s: screeninfo: %s\n", path, strerror(errno));
        return 1;
    }
    if (var.bits_per_pixel != 32 && var.bits_per_pixel != 16) {
        fprintf(stderr, "fbdraw: %u bits per pixel not handled\n", var.bits_per_pixel);
        return 1;
    }
    uint32_t w = var.xres, h = var.yres, stride = fix.line_length;
    size_t len = (size_t)stride * h;
    uint8_t *fb = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (fb == MAP_FAILED) {
        fprintf(stderr, "fbdraw: mmap %zu bytes: %s\n", len, strerror(errno));
        return 1;
    }
    uint32_t alpha = var.transp.length ? ((1u << var.transp.length) - 1) << var.transp.offset : 0;
    struct screen screen = {fb, w, h, stride, var.bits_per_pixel, alpha, var};
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++)
            put(&screen, x, y, pattern_pixel(x, y, w, h));
    flush(fb, len);
    /* Deferred I/O reports, per flush, the rows of the pages dirtied since the previous
     * flush. On 6.1 a flush holding only the page of the last row was seen to lose the end
     * of that row (its last 543 pixels stayed black on the host). So with everything drawn
     * and flushed, the first and the last page are dirtied together once more, with the
     * same values: the flush that follows then spans the whole screen. */
    volatile uint32_t *first = (uint32_t *)fb, *last = (uint32_t *)(fb + len - 4);
    *first = *first;
    *last = *last;
    flush(fb, len);
    printf("NEEP-PATTERN-DRAWN %ux%u stride=%u bpp=%u\n", w, h, stride, var.bits_per_pixel);
    fflush(stdout);
    if (alive)
        live(&screen);
    munmap(fb, len);
    close(fd);
    return 0;
}
