package dev.neep.gpu.api;

/**
 * What {@link GpuBackend#resourceCreate3d} is given, as {@code struct rutabaga_create_3d}
 * carries it: the fields of the guest's RESOURCE_CREATE_3D after the device checked them.
 */
public record Create3dArgs(int target, int format, int bind, int width, int height, int depth,
        int arraySize, int lastLevel, int nrSamples, int flags) {
}
