package dev.neep.gpu.protocol;

/**
 * VIRTIO_GPU_F_* feature bit numbers (virtio 1.3 §5.7.3). Bit numbers, not masks: use
 * {@link #mask(int)} to build a 64-bit feature word.
 */
public final class GpuFeatures {
    /** 3D mode: CTX_* and *_3D commands. */
    public static final int VIRGL = 0;
    /** CMD_GET_EDID. */
    public static final int EDID = 1;
    /** CMD_RESOURCE_ASSIGN_UUID. */
    public static final int RESOURCE_UUID = 2;
    /** CMD_RESOURCE_CREATE_BLOB, SET_SCANOUT_BLOB, MAP/UNMAP_BLOB. */
    public static final int RESOURCE_BLOB = 3;
    /** CTX_CREATE with context_init, and per-ring fences (FLAG_INFO_RING_IDX). */
    public static final int CONTEXT_INIT = 4;

    private GpuFeatures() {
    }

    public static long mask(int bit) {
        return 1L << bit;
    }

    public static boolean has(long features, int bit) {
        return (features & mask(bit)) != 0;
    }
}
