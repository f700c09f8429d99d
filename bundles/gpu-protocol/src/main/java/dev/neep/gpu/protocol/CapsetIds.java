package dev.neep.gpu.protocol;

import java.util.List;

/**
 * Capability set ids (VIRTIO_GPU_CAPSET_*, virtio 1.3 §5.7.6.7 plus the ids rutabaga and
 * crosvm assign). The low byte of {@code CtxCreate.contextInit} selects one of these.
 */
public final class CapsetIds {
    public static final int VIRGL = 1;
    public static final int VIRGL2 = 2;
    public static final int GFXSTREAM_VULKAN = 3;
    public static final int VENUS = 4;
    public static final int CROSS_DOMAIN = 5;
    public static final int DRM = 6;
    public static final int GFXSTREAM_MAGMA = 7;
    public static final int GFXSTREAM_GLES = 8;
    public static final int GFXSTREAM_COMPOSER = 9;

    /** Mask of {@code context_init} that carries the capset id (VIRTIO_GPU_CONTEXT_INIT_CAPSET_ID_MASK). */
    public static final int CONTEXT_INIT_CAPSET_ID_MASK = 0xff;

    /**
     * The capsets upstream QEMU's rutabaga device switches on with boolean properties of
     * these names ({@code gfxstream-vulkan=on}), beside the colon-separated {@code capset_names}.
     */
    public static final List<String> QEMU_SWITCHES = List.of(name(GFXSTREAM_VULKAN), name(GFXSTREAM_GLES),
            name(GFXSTREAM_COMPOSER), name(CROSS_DOMAIN));

    private CapsetIds() {
    }

    /** Lower-case name as used by rutabaga's context_types option, e.g. "venus"; unknown ids give "capset-N". */
    public static String name(int id) {
        switch (id) {
            case VIRGL: return "virgl";
            case VIRGL2: return "virgl2";
            case GFXSTREAM_VULKAN: return "gfxstream-vulkan";
            case VENUS: return "venus";
            case CROSS_DOMAIN: return "cross-domain";
            case DRM: return "drm";
            case GFXSTREAM_MAGMA: return "gfxstream-magma";
            case GFXSTREAM_GLES: return "gfxstream-gles";
            case GFXSTREAM_COMPOSER: return "gfxstream-composer";
            default: return "capset-" + Integer.toUnsignedString(id);
        }
    }

    /** The id for a name of {@link #name(int)}, or -1 when the name is not a known capset. */
    public static int byName(String name) {
        for (int id = VIRGL; id <= GFXSTREAM_COMPOSER; id++) {
            if (name(id).equals(name)) {
                return id;
            }
        }
        return -1;
    }
}
