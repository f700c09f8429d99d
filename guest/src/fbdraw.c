/* fbdraw: paint pattern.h on a Linux framebuffer device and say so on stdout.
 *
 *   fbdraw [/dev/fbN]
 *
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

int main(int argc, char **argv)
{
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
    for (uint32_t y = 0; y < h; y++) {
        uint8_t *line = fb + (size_t)y * stride;
        for (uint32_t x = 0; x < w; x++) {
            struct rgb c = pattern_pixel(x, y, w, h);
            uint32_t px = field(c.r, &var.red) | field(c.g, &var.green) | field(c.b, &var.blue) | alpha;
            if (var.bits_per_pixel == 32)
                ((uint32_t *)line)[x] = px;
            else
                ((uint16_t *)line)[x] = (uint16_t)px;
        }
    }
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
    munmap(fb, len);
    close(fd);
    printf("NEEP-PATTERN-DRAWN %ux%u stride=%u bpp=%u\n", w, h, stride, var.bits_per_pixel);
    fflush(stdout);
    return 0;
}
