/* gl3d: the 3D guest's own check of the GPU. Draws the scene of scene3d.h with GLES2
 * through GBM and EGL on the virtio-gpu DRM device (Mesa's virgl driver, so the host's
 * renderer does the drawing), reads it back with glReadPixels and compares it with
 * scene3d.h pixel for pixel, then shows it: a first frame with drmModeSetCrtc, a second
 * one with a KMS page flip, waited for. It then keeps the screen (it stays DRM master)
 * until killed, so the host can take its screendump.
 *
 *   gl3d [-d /dev/dri/card0] [-m WxH]
 *
 * Prints
 *   NEEP-GL3D-READBACK ok renderer="..." mode=WxH        the guest's own check passed
 *   NEEP-GL3D-SHOWN flip=ok mode=WxH                      the page flip has completed
 * and on any failure (no DRM device, no connector, EGL/GL error, a missing extension, a
 * renderer that is not virgl, a wrong pixel) one line
 *   NEEP-GUEST-ERROR gl3d: <what failed>
 * and exits 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GLES2/gl2.h>
#include <gbm.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "scene3d.h"

static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("NEEP-GUEST-ERROR gl3d: ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    fflush(stdout);
    exit(1);
}

static void check_gl(const char *what)
{
    GLenum e = glGetError();
    if (e != GL_NO_ERROR)
        fail("%s: GL error 0x%04x", what, e);
}

struct output {
    uint32_t connector, crtc;
    drmModeModeInfo mode;
};

/* The first connected connector, its mode (the wanted size, else the preferred one) and
 * the CRTC its encoder uses, else the first one it can use. */
static struct output find_output(int fd, unsigned want_w, unsigned want_h)
{
    drmModeRes *res = drmModeGetResources(fd);
    if (!res)
        fail("drmModeGetResources: %s (not a KMS device?)", strerror(errno));
    for (int i = 0; i < res->count_connectors; i++) {
        drmModeConnector *c = drmModeGetConnector(fd, res->connectors[i]);
        if (!c)
            continue;
        if (c->connection != DRM_MODE_CONNECTED || c->count_modes == 0) {
            drmModeFreeConnector(c);
            continue;
        }
        struct output out = {.connector = c->connector_id, .mode = c->modes[0]};
        for (int m = 0; m < c->count_modes; m++) {
            if (want_w ? c->modes[m].hdisplay == want_w && c->modes[m].vdisplay == want_h
                       : (c->modes[m].type & DRM_MODE_TYPE_PREFERRED) != 0) {
                out.mode = c->modes[m];
                break;
            }
        }
        if (want_w && (out.mode.hdisplay != want_w || out.mode.vdisplay != want_h))
            fail("connector %u has no mode %ux%u", c->connector_id, want_w, want_h);
        for (int e = 0; e < c->count_encoders && !out.crtc; e++) {
            drmModeEncoder *enc = drmModeGetEncoder(fd, c->encoders[e]);
            if (!enc)
                continue;
            if (enc->crtc_id)
                out.crtc = enc->crtc_id;
            for (int k = 0; k < res->count_crtcs && !out.crtc; k++)
                if (enc->possible_crtcs & (1u << k))
                    out.crtc = res->crtcs[k];
            drmModeFreeEncoder(enc);
        }
        drmModeFreeConnector(c);
        if (!out.crtc)
            fail("no CRTC for connector %u", out.connector);
        drmModeFreeResources(res);
        return out;
    }
    fail("no connected connector with a mode");
    return (struct output){0};
}

static GLuint shader(GLenum kind, const char *src)
{
    GLuint s = glCreateShader(kind);
    glShaderSource(s, 1, &src, NULL);
    glCompileShader(s);
    GLint ok = 0;
    glGetShaderiv(s, GL_COMPILE_STATUS, &ok);
    if (!ok) {
        char log[1024] = "";
        glGetShaderInfoLog(s, sizeof log, NULL, log);
        fail("%s shader does not compile: %s", kind == GL_VERTEX_SHADER ? "vertex" : "fragment", log);
    }
    return s;
}

/* Positions in screen pixels (row 0 at the top); mode 0 draws the vertex colour, 1 the
 * gl_FragCoord formula, 2 the texture. */
static const char *vertex_src =
    "attribute vec2 pos;\n"
    "attribute vec4 colour;\n"
    "attribute vec2 texcoord;\n"
    "uniform vec2 size;\n"
    "varying vec4 v_colour;\n"
    "varying vec2 v_texcoord;\n"
    "void main() {\n"
    "    gl_Position = vec4(2.0 * pos.x / size.x - 1.0, 1.0 - 2.0 * pos.y / size.y, 0.0, 1.0);\n"
    "    v_colour = colour;\n"
    "    v_texcoord = texcoord;\n"
    "}\n";
static const char *fragment_src =
    "precision highp float;\n"
    "uniform vec2 size;\n"
    "uniform float mode;\n"
    "uniform sampler2D tex;\n"
    "varying vec4 v_colour;\n"
    "varying vec2 v_texcoord;\n"
    "void main() {\n"
    "    if (mode < 0.5) {\n"
    "        gl_FragColor = v_colour;\n"
    "    } else if (mode < 1.5) {\n"
    "        float x = floor(gl_FragCoord.x);\n"
    "        float y = size.y - 1.0 - floor(gl_FragCoord.y);\n"
    "        float odd = mod(floor(x / 32.0) + floor(y / 32.0), 2.0);\n"
    "        gl_FragColor = vec4(mod(x, 256.0) / 255.0, mod(y, 256.0) / 255.0, odd, 1.0);\n"
    "    } else {\n"
    "        gl_FragColor = texture2D(tex, v_texcoord);\n"
    "    }\n"
    "}\n";

struct gl {
    GLuint program;
    GLint pos, colour, texcoord, size, mode;
    GLuint texture;
};

static struct gl gl_setup(void)
{
    struct gl g;
    g.program = glCreateProgram();
    glAttachShader(g.program, shader(GL_VERTEX_SHADER, vertex_src));
    glAttachShader(g.program, shader(GL_FRAGMENT_SHADER, fragment_src));
    glLinkProgram(g.program);
    GLint ok = 0;
    glGetProgramiv(g.program, GL_LINK_STATUS, &ok);
    if (!ok) {
        char log[1024] = "";
        glGetProgramInfoLog(g.program, sizeof log, NULL, log);
        fail("program does not link: %s", log);
    }
    g.pos = glGetAttribLocation(g.program, "pos");
    g.colour = glGetAttribLocation(g.program, "colour");
    g.texcoord = glGetAttribLocation(g.program, "texcoord");
    g.size = glGetUniformLocation(g.program, "size");
    g.mode = glGetUniformLocation(g.program, "mode");
    if (g.pos < 0 || g.colour < 0 || g.texcoord < 0 || g.size < 0 || g.mode < 0)
        fail("an attribute or uniform of the scene's program is missing");

    uint8_t texels[SCENE3D_TEXELS * SCENE3D_TEXELS * 4];
    for (int v = 0; v < SCENE3D_TEXELS; v++)
        for (int u = 0; u < SCENE3D_TEXELS; u++) {
            struct rgb3 p = scene3d_texel(u, v);
            uint8_t *t = texels + 4 * (v * SCENE3D_TEXELS + u);
            t[0] = p.r, t[1] = p.g, t[2] = p.b, t[3] = 0xff;
        }
    glGenTextures(1, &g.texture);
    glBindTexture(GL_TEXTURE_2D, g.texture);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, SCENE3D_TEXELS, SCENE3D_TEXELS, 0, GL_RGBA, GL_UNSIGNED_BYTE, texels);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    check_gl("setting up the program and texture");
    return g;
}

/* One axis-aligned rectangle [x0,x1) x [y0,y1) as two triangles. Texture row 0 is at the top. */
static void quad(const struct gl *g, float mode, float x0, float y0, float x1, float y1, struct rgb3 c)
{
    const GLfloat pos[] = {x0, y0, x1, y0, x0, y1, x1, y1};
    const GLfloat tc[] = {0, 0, 1, 0, 0, 1, 1, 1};
    glUniform1f(g->mode, mode);
    glVertexAttribPointer(g->pos, 2, GL_FLOAT, GL_FALSE, 0, pos);
    glVertexAttribPointer(g->texcoord, 2, GL_FLOAT, GL_FALSE, 0, tc);
    glVertexAttrib4f(g->colour, c.r / 255.0f, c.g / 255.0f, c.b / 255.0f, 1.0f);
    glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
}

static void draw_scene(const struct gl *g, unsigned w, unsigned h)
{
    glViewport(0, 0, w, h);
    glClearColor(0.5f, 0.5f, 0.5f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    glUseProgram(g->program);
    glUniform2f(g->size, (float)w, (float)h);
    glEnableVertexAttribArray(g->pos);
    glEnableVertexAttribArray(g->texcoord);
    glDisableVertexAttribArray(g->colour);
    struct rgb3 none = {0, 0, 0};
    for (unsigned i = 0; i < 8; i++) {
        /* bar i holds the x with x*8/w == i: from ceil(i*w/8) on */
        float x0 = (float)((i * w + 7) / 8), x1 = (float)(((i + 1) * w + 7) / 8);
        quad(g, 0, x0, 0, x1, (float)(h / 2), scene3d_bars[i]);
    }
    quad(g, 1, 0, (float)(h / 2), (float)w, (float)h, none);
    quad(g, 2, (float)(w - SCENE3D_TEX), (float)(h - SCENE3D_TEX), (float)w, (float)h, none);
    check_gl("drawing the scene");
}

/* glReadPixels of the whole surface against scene3d.h; rows come bottom first. */
static void check_readback(unsigned w, unsigned h)
{
    uint8_t *px = malloc((size_t)w * h * 4);
    if (!px)
        fail("out of memory for %ux%u pixels", w, h);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadPixels(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, px);
    check_gl("glReadPixels");
    unsigned long bad = 0;
    char first[160] = "";
    for (unsigned y = 0; y < h; y++) {
        const uint8_t *row = px + (size_t)(h - 1 - y) * w * 4;
        for (unsigned x = 0; x < w; x++) {
            struct rgb3 want = scene3d_pixel(x, y, w, h);
            const uint8_t *got = row + 4 * x;
            if (got[0] != want.r || got[1] != want.g || got[2] != want.b) {
                if (!bad++)
                    snprintf(first, sizeof first, "(%u,%u)=%02x%02x%02x want %02x%02x%02x", x, y, got[0], got[1],
                             got[2], want.r, want.g, want.b);
            }
        }
    }
    free(px);
    if (bad)
        fail("glReadPixels: %lu of %u pixels differ from the scene, first %s", bad, w * h, first);
}

static uint32_t framebuffer(int fd, struct gbm_bo *bo)
{
    uint32_t fb;
    uint32_t handles[4] = {gbm_bo_get_handle(bo).u32}, strides[4] = {gbm_bo_get_stride(bo)}, offsets[4] = {0};
    if (drmModeAddFB2(fd, gbm_bo_get_width(bo), gbm_bo_get_height(bo), gbm_bo_get_format(bo), handles, strides,
                      offsets, &fb, 0))
        fail("drmModeAddFB2: %s", strerror(errno));
    return fb;
}

/* Ends the frame drawn on the window surface; the buffer that now holds it. */
static struct gbm_bo *swap(EGLDisplay dpy, EGLSurface surface, struct gbm_surface *gs)
{
    if (!eglSwapBuffers(dpy, surface))
        fail("eglSwapBuffers: EGL error 0x%04x", eglGetError());
    struct gbm_bo *bo = gbm_surface_lock_front_buffer(gs);
    if (!bo)
        fail("gbm_surface_lock_front_buffer: no buffer");
    return bo;
}

static void flip_done(int fd, unsigned frame, unsigned sec, unsigned usec, void *data)
{
    (void)fd, (void)frame, (void)sec, (void)usec;
    *(int *)data = 1;
}

int main(int argc, char **argv)
{
    const char *card = "/dev/dri/card0";
    unsigned want_w = 0, want_h = 0;
    int opt;
    while ((opt = getopt(argc, argv, "d:m:")) != -1) {
        if (opt == 'd')
            card = optarg;
        else if (opt == 'm' && sscanf(optarg, "%ux%u", &want_w, &want_h) == 2)
            ;
        else
            fail("usage: gl3d [-d /dev/dri/cardN] [-m WxH]");
    }
    setvbuf(stdout, NULL, _IOLBF, 0);

    int fd = open(card, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        fail("open %s: %s", card, strerror(errno));
    drmVersionPtr version = drmGetVersion(fd);
    if (!version || strcmp(version->name, "virtio_gpu") != 0)
        fail("%s is driven by %s, not virtio_gpu", card, version ? version->name : "an unknown driver");
    drmFreeVersion(version);
    struct output out = find_output(fd, want_w, want_h);
    unsigned w = out.mode.hdisplay, h = out.mode.vdisplay;
    if (w < 2 * SCENE3D_TEX || h < 2 * SCENE3D_TEX)
        fail("mode %ux%u is smaller than the scene's 256x256", w, h);

    struct gbm_device *gbm = gbm_create_device(fd);
    if (!gbm)
        fail("gbm_create_device: %s", strerror(errno));
    struct gbm_surface *gs = gbm_surface_create(gbm, w, h, GBM_FORMAT_XRGB8888,
                                                GBM_BO_USE_SCANOUT | GBM_BO_USE_RENDERING);
    if (!gs)
        fail("gbm_surface_create %ux%u XRGB8888: %s", w, h, strerror(errno));

    const char *client_ext = eglQueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS);
    if (!client_ext || !strstr(client_ext, "EGL_KHR_platform_gbm"))
        fail("EGL has no EGL_KHR_platform_gbm (client extensions: %s)", client_ext ? client_ext : "none");
    EGLDisplay dpy = eglGetPlatformDisplay(EGL_PLATFORM_GBM_KHR, gbm, NULL);
    EGLint major, minor;
    if (dpy == EGL_NO_DISPLAY || !eglInitialize(dpy, &major, &minor))
        fail("eglInitialize on GBM: EGL error 0x%04x", eglGetError());
    if (!eglBindAPI(EGL_OPENGL_ES_API))
        fail("eglBindAPI(GLES): EGL error 0x%04x", eglGetError());
    const EGLint want[] = {EGL_SURFACE_TYPE, EGL_WINDOW_BIT, EGL_RED_SIZE, 8, EGL_GREEN_SIZE, 8, EGL_BLUE_SIZE, 8,
                           EGL_RENDERABLE_TYPE, EGL_OPENGL_ES2_BIT, EGL_NONE};
    EGLConfig configs[64], config = NULL;
    EGLint n = 0;
    if (!eglChooseConfig(dpy, want, configs, 64, &n))
        fail("eglChooseConfig: EGL error 0x%04x", eglGetError());
    for (EGLint i = 0; i < n && !config; i++) {
        EGLint visual;
        if (eglGetConfigAttrib(dpy, configs[i], EGL_NATIVE_VISUAL_ID, &visual) && visual == GBM_FORMAT_XRGB8888)
            config = configs[i];
    }
    if (!config)
        fail("no EGL config for GBM_FORMAT_XRGB8888 among %d", n);
    const EGLint ctx_attrs[] = {EGL_CONTEXT_CLIENT_VERSION, 2, EGL_NONE};
    EGLContext ctx = eglCreateContext(dpy, config, EGL_NO_CONTEXT, ctx_attrs);
    if (ctx == EGL_NO_CONTEXT)
        fail("eglCreateContext(GLES2): EGL error 0x%04x", eglGetError());
    EGLSurface surface = eglCreateWindowSurface(dpy, config, (EGLNativeWindowType)gs, NULL);
    if (surface == EGL_NO_SURFACE)
        fail("eglCreateWindowSurface: EGL error 0x%04x", eglGetError());
    if (!eglMakeCurrent(dpy, surface, surface, ctx))
        fail("eglMakeCurrent: EGL error 0x%04x", eglGetError());

    /* Mesa falls back to software rendering in the guest when the device offers no 3D:
     * that would draw the scene right without the host's renderer ever seeing it. */
    const char *renderer = (const char *)glGetString(GL_RENDERER);
    if (!renderer || !strstr(renderer, "virgl"))
        fail("GL_RENDERER is \"%s\", not virgl: the device gave Mesa no 3D (VIRTIO_GPU_F_VIRGL)",
             renderer ? renderer : "(null)");

    struct gl g = gl_setup();
    draw_scene(&g, w, h);
    check_readback(w, h);
    printf("NEEP-GL3D-READBACK ok renderer=\"%s\" gl=\"%s\" mode=%ux%u\n", renderer,
           (const char *)glGetString(GL_VERSION), w, h);

    /* First frame: mode set. Second frame: page flip, and wait for it. */
    struct gbm_bo *first = swap(dpy, surface, gs);
    uint32_t fb1 = framebuffer(fd, first);
    if (drmModeSetCrtc(fd, out.crtc, fb1, 0, 0, &out.connector, 1, &out.mode))
        fail("drmModeSetCrtc %ux%u: %s", w, h, strerror(errno));

    draw_scene(&g, w, h);
    uint32_t fb2 = framebuffer(fd, swap(dpy, surface, gs));
    int flipped = 0;
    if (drmModePageFlip(fd, out.crtc, fb2, DRM_MODE_PAGE_FLIP_EVENT, &flipped))
        fail("drmModePageFlip: %s", strerror(errno));
    drmEventContext events = {.version = 2, .page_flip_handler = flip_done};
    while (!flipped) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, 10000);
        if (r == 0)
            fail("no page flip event after 10 s");
        if (r < 0 && errno != EINTR)
            fail("poll: %s", strerror(errno));
        if (r > 0 && drmHandleEvent(fd, &events))
            fail("drmHandleEvent: %s", strerror(errno));
    }
    drmModeRmFB(fd, fb1);
    gbm_surface_release_buffer(gs, first);
    printf("NEEP-GL3D-SHOWN flip=ok mode=%ux%u\n", w, h);
    /* Closing the device would give the screen back to fbdev: keep it until killed. */
    for (;;)
        pause();
}
