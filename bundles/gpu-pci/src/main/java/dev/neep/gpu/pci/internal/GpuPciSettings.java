package dev.neep.gpu.pci.internal;

import dev.neep.config.support.ConfigurationRefused;

/** The checked configuration of virtio-gpu-pci: the PCI subsystem ids, 16 bits each. */
record GpuPciSettings(int subsystemVendorId, int subsystemId) {

    /** @throws ConfigurationRefused naming the property and its value when one is not 16 bits */
    static GpuPciSettings from(GpuPciConfig config) {
        return new GpuPciSettings(
                (int) ConfigurationRefused.within(GpuPciConfig.PID, "subsystem_vendor_id",
                        config.subsystem__vendor__id(), 0, 0xffff),
                (int) ConfigurationRefused.within(GpuPciConfig.PID, "subsystem_id", config.subsystem__id(), 0, 0xffff));
    }
}
