package dev.neep.gpu.pci.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of virtio-gpu-pci (PID {@value #PID}). The component needs a
 * {@code dev.neep.virtio.GuestMemory} service from the VMM (the guest's RAM) and the
 * virtio GPU device service; both are chosen by the usual DS target properties
 * {@code memory.target} and {@code device.target}.
 */
@ObjectClassDefinition(id = GpuPciConfig.PID, name = "neep virtio-gpu-pci",
        description = "Puts the virtio-gpu device behind a modern virtio-pci function that an in-process VMM's"
                + " PCI bus picks up as a dev.neep.virtio.pci.PciFunction service.")
public @interface GpuPciConfig {

    String PID = "dev.neep.gpu.pci";

    @AttributeDefinition(name = "Subsystem vendor id", min = "0", max = "65535",
            description = "PCI subsystem vendor id (default 0x1af4, Red Hat).")
    int subsystem__vendor__id() default 0x1af4;

    @AttributeDefinition(name = "Subsystem id", min = "0", max = "65535",
            description = "PCI subsystem id (default 0x1100, QEMU's; virtio asks for 0x40 or more).")
    int subsystem__id() default 0x1100;
}
