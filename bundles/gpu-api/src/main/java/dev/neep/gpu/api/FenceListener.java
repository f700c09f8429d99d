package dev.neep.gpu.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Where a backend reports a completed fence. May be called from any thread, including
 * from inside a call the device made; the device moves completion to its own thread.
 */
@FunctionalInterface
@ProviderType
public interface FenceListener {
    void fenceSignalled(Fence fence);
}
