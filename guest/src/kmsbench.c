/* kmsbench: how many full frames per second the guest can push through the virtio-gpu
 * driver to the device, using only KMS ioctls (no libdrm library, its uapi headers only).
 *
 *   kmsbench [-n FRAMES] [-m WxH] [-d /dev/dri/cardN]
 *
 * One dumb buffer is scanned out; every frame repaints all of it with a new colour and
 * reports it with DIRTYFB covering the whole frame. The virtio-gpu driver turns each
 * DIRTYFB into TRANSFER_TO_HOST_2D + RESOURCE_FLUSH, so the figure is the device's
 * transfer+flush rate for full frames. Prints
 *   NEEP-BENCH frames=N secs=S fps=F MBps=M mode=WxH
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <drm.h>
#include <drm_mode.h>

static int card = -1;

static void fail(const char *what)
{
    fprintf(stderr, "kmsbench: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void drm(unsigned long request, void *arg, const char *what)
{
    int r;
    do
        r = ioctl(card, request, arg);
    while (r < 0 && (errno == EINTR || errno == EAGAIN));
    if (r < 0)
        fail(what);
}

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void *array(uint32_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p)
        fail("calloc");
    return p;
}

struct output {
    uint32_t connector, crtc;
    struct drm_mode_modeinfo mode;
};

/* The first connected connector, its mode (the wanted size, else the preferred one) and a
 * CRTC that can drive it. */
static int find_output(uint32_t want_w, uint32_t want_h, struct output *out)
{
    struct drm_mode_card_res res = {0};
    drm(DRM_IOCTL_MODE_GETRESOURCES, &res, "GETRESOURCES");
    uint32_t *crtcs = array(res.count_crtcs, 4), *connectors = array(res.count_connectors, 4);
    res.crtc_id_ptr = (uintptr_t)crtcs;
    res.connector_id_ptr = (uintptr_t)connectors;
    res.count_fbs = res.count_encoders = 0;
    drm(DRM_IOCTL_MODE_GETRESOURCES, &res, "GETRESOURCES");

    for (uint32_t i = 0; i < res.count_connectors; i++) {
        struct drm_mode_get_connector c = {.connector_id = connectors[i]};
        drm(DRM_IOCTL_MODE_GETCONNECTOR, &c, "GETCONNECTOR");
        if (c.connection != 1 || c.count_modes == 0)
            continue;
        struct drm_mode_modeinfo *modes = array(c.count_modes, sizeof *modes);
        uint32_t *encoders = array(c.count_encoders, 4);
        uint32_t n_modes = c.count_modes, n_encoders = c.count_encoders;
        c.modes_ptr = (uintptr_t)modes;
        c.encoders_ptr = (uintptr_t)encoders;
        c.count_props = 0;
        drm(DRM_IOCTL_MODE_GETCONNECTOR, &c, "GETCONNECTOR");
        if (c.count_modes < n_modes)
            n_modes = c.count_modes;
        if (c.count_encoders < n_encoders)
            n_encoders = c.count_encoders;

        int pick = -1;
        for (uint32_t m = 0; m < n_modes && pick < 0; m++) {
            if (want_w ? modes[m].hdisplay == want_w && modes[m].vdisplay == want_h
                       : (modes[m].type & DRM_MODE_TYPE_PREFERRED) != 0)
                pick = (int)m;
        }
        if (pick < 0 && want_w) {
            fprintf(stderr, "kmsbench: no %ux%u mode on connector %u\n", want_w, want_h, c.connector_id);
            return -1;
        }
        out->mode = modes[pick < 0 ? 0 : pick];
        out->connector = c.connector_id;
        out->crtc = 0;
        for (uint32_t e = 0; e < n_encoders && !out->crtc; e++) {
            struct drm_mode_get_encoder enc = {.encoder_id = encoders[e]};
            drm(DRM_IOCTL_MODE_GETENCODER, &enc, "GETENCODER");
            if (enc.crtc_id)
                out->crtc = enc.crtc_id;
            for (uint32_t k = 0; k < res.count_crtcs && !out->crtc; k++)
                if (enc.possible_crtcs & (1u << k))
                    out->crtc = crtcs[k];
        }
        if (!out->crtc && res.count_crtcs)
            out->crtc = crtcs[0];
        return out->crtc ? 0 : -1;
    }
    fprintf(stderr, "kmsbench: no connected connector\n");
    return -1;
}

int main(int argc, char **argv)
{
    const char *path = "/dev/dri/card0";
    unsigned frames = 300, want_w = 0, want_h = 0;
    int opt;
    while ((opt = getopt(argc, argv, "n:m:d:")) != -1) {
        if (opt == 'n')
            frames = (unsigned)strtoul(optarg, NULL, 10);
        else if (opt == 'm' && sscanf(optarg, "%ux%u", &want_w, &want_h) == 2)
            continue;
        else if (opt == 'd')
            path = optarg;
        else {
            fprintf(stderr, "usage: kmsbench [-n FRAMES] [-m WxH] [-d /dev/dri/cardN]\n");
            return 2;
        }
    }
    if (frames == 0)
        frames = 1;
    card = open(path, O_RDWR | O_CLOEXEC);
    if (card < 0)
        fail(path);
    /* init is the only process; becoming master lets SETCRTC take the display from fbdev */
    ioctl(card, DRM_IOCTL_SET_MASTER, 0);

    struct output out;
    if (find_output(want_w, want_h, &out) < 0)
        return 1;
    uint32_t w = out.mode.hdisplay, h = out.mode.vdisplay;

    struct drm_mode_create_dumb dumb = {.width = w, .height = h, .bpp = 32};
    drm(DRM_IOCTL_MODE_CREATE_DUMB, &dumb, "CREATE_DUMB");
    struct drm_mode_fb_cmd fb = {.width = w, .height = h, .pitch = dumb.pitch, .bpp = 32,
                                 .depth = 24, .handle = dumb.handle};
    drm(DRM_IOCTL_MODE_ADDFB, &fb, "ADDFB");
    struct drm_mode_map_dumb map = {.handle = dumb.handle};
    drm(DRM_IOCTL_MODE_MAP_DUMB, &map, "MAP_DUMB");
    uint8_t *pixels = mmap(NULL, dumb.size, PROT_READ | PROT_WRITE, MAP_SHARED, card, (off_t)map.offset);
    if (pixels == MAP_FAILED)
        fail("mmap dumb buffer");
    memset(pixels, 0, dumb.size);

    struct drm_mode_crtc crtc = {.crtc_id = out.crtc, .fb_id = fb.fb_id,
                                 .set_connectors_ptr = (uintptr_t)&out.connector,
                                 .count_connectors = 1, .mode = out.mode, .mode_valid = 1};
    drm(DRM_IOCTL_MODE_SETCRTC, &crtc, "SETCRTC");

    struct drm_clip_rect whole = {0, 0, (unsigned short)w, (unsigned short)h};
    struct drm_mode_fb_dirty_cmd dirty = {.fb_id = fb.fb_id, .num_clips = 1,
                                          .clips_ptr = (uintptr_t)&whole};
    double start = seconds();
    for (unsigned f = 0; f < frames; f++) {
        uint32_t colour = 0xff000000u | (f * 0x010305u & 0xffffffu);
        for (uint32_t y = 0; y < h; y++) {
            uint32_t *line = (uint32_t *)(pixels + (size_t)y * dumb.pitch);
            for (uint32_t x = 0; x < w; x++)
                line[x] = colour;
        }
        drm(DRM_IOCTL_MODE_DIRTYFB, &dirty, "DIRTYFB");
    }
    double secs = seconds() - start;
    printf("NEEP-BENCH frames=%u secs=%.3f fps=%.1f MBps=%.1f mode=%ux%u\n", frames, secs,
           frames / secs, (double)frames * w * h * 4 / secs / 1e6, w, h);
    fflush(stdout);
    return 0;
}
