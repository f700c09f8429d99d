package dev.neep.gpu.device;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A snapshot of one virtio-gpu device's accounting, registered as a service beside the
 * device. Every value is read on the device's command thread, so it is consistent with the
 * commands processed so far.
 */
@ProviderType
public interface GpuDeviceInfo {

    /** Resources the guest created and has not unreferenced. */
    int resourceCount();

    /** 3D contexts alive. */
    int contextCount();

    /** Host memory charged to guest resources, in bytes (2D: width x height x bpp; blobs: their size). */
    long hostMemoryUsed();

    /** The {@code max_hostmem} limit, in bytes. */
    long hostMemoryLimit();

    /** Bytes of the host-visible shared memory region the transport provided this activation; 0 without one. */
    long hostVisibleRegionSize();

    /** Bytes of that region host blobs are mapped into now, each mapping counted in whole pages. */
    long hostVisibleRegionUsed();

    /** Host blobs mapped into that region now. */
    int hostVisibleMappings();

    /** Responses of fenced commands waiting for their fence. */
    int parkedFences();

    /** Display sinks bound. */
    int sinkCount();

    /** The kind of the backend in use (its provider's {@code neep.backend}), empty when none is open. */
    String backendKind();

    /** True between the driver's DRIVER_OK and the next reset. */
    boolean active();
}
