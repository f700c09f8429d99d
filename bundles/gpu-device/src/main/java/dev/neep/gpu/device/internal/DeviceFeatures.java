package dev.neep.gpu.device.internal;

import dev.neep.gpu.api.BackendCapabilities;
import dev.neep.gpu.protocol.GpuFeatures;
import dev.neep.virtio.VirtioFeatures;

/** The feature bits the device offers: the transport's it always uses, and the GPU's its settings and backend allow. */
final class DeviceFeatures {
    private DeviceFeatures() {
    }

    /** {@code edid}: the device's {@code edid} setting; {@code caps}: the open backend's, null without one. */
    static long offered(boolean edid, BackendCapabilities caps) {
        long f = VirtioFeatures.bit(VirtioFeatures.VIRTIO_F_VERSION_1)
                | VirtioFeatures.bit(VirtioFeatures.VIRTIO_RING_F_EVENT_IDX)
                | VirtioFeatures.bit(VirtioFeatures.VIRTIO_RING_F_INDIRECT_DESC)
                | GpuFeatures.mask(GpuFeatures.RESOURCE_UUID);
        if (edid) {
            f |= GpuFeatures.mask(GpuFeatures.EDID);
        }
        if (caps != null) {
            if (caps.virgl3d()) {
                f |= GpuFeatures.mask(GpuFeatures.VIRGL);
            }
            if (caps.blob()) {
                f |= GpuFeatures.mask(GpuFeatures.RESOURCE_BLOB);
            }
            if (caps.contextInit()) {
                f |= GpuFeatures.mask(GpuFeatures.CONTEXT_INIT);
            }
        }
        return f;
    }
}
