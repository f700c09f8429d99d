package dev.neep.gpu.pci.internal;

import dev.neep.virtio.GuestMemory;
import dev.neep.virtio.VirtioDevice;
import dev.neep.virtio.pci.SharedMemoryBar;
import dev.neep.virtio.pci.VirtioPciFunction;

/**
 * virtio-gpu-pci: a virtio GPU behind the modern virtio-pci transport, with the identity
 * QEMU's {@code virtio-gpu-pci} has (PCI 1af4:1050, class display/other). No GPU logic
 * lives here; the device and the transport each do their part.
 */
public final class GpuPci {
    public static final int VIRTIO_DEVICE_ID_GPU = 16;

    private GpuPci() {
    }

    /**
     * The PCI function for {@code device}, which must be a virtio GPU, over the VMM's {@code memory};
     * with the VMM's {@code sharedMemory} (null: none) and a device configured with {@code hostmem},
     * the host-visible region (shmid 1) is its BAR 2.
     */
    public static VirtioPciFunction function(VirtioDevice device, GuestMemory memory, SharedMemoryBar sharedMemory,
            int subsystemVendorId, int subsystemId) {
        if (device.deviceId() != VIRTIO_DEVICE_ID_GPU) {
            throw new IllegalArgumentException("virtio device id " + device.deviceId() + " is not a GPU ("
                    + VIRTIO_DEVICE_ID_GPU + ")");
        }
        VirtioPciFunction.Options options = VirtioPciFunction.Options.forDevice(VIRTIO_DEVICE_ID_GPU)
                .withClassCode(VirtioPciFunction.Options.CLASS_DISPLAY_OTHER)
                .withSubsystem(subsystemVendorId, subsystemId);
        return new VirtioPciFunction(device, memory, options, sharedMemory);
    }
}
