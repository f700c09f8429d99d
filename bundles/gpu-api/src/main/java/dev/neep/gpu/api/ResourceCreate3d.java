package dev.neep.gpu.api;

/** The arguments of RESOURCE_CREATE_3D, as {@code struct rutabaga_create_3d} carries them. */
public record ResourceCreate3d(int target, int format, int bind, int width, int height, int depth,
        int arraySize, int lastLevel, int nrSamples, int flags) {
}
