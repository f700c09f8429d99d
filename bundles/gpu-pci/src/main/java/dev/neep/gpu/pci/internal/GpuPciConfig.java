package dev.neep.gpu.pci.internal;

import org.osgi.service.component.annotations.ComponentPropertyType;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of virtio-gpu-pci, PID {@value #PID}: its metatype and the typed interface
 * {@link GpuPciSettings} checks. The component needs a
 * {@code dev.neep.virtio.GuestMemory} service from the VMM (the guest's RAM) and the
 * virtio GPU device service; both are chosen by the usual DS target properties
 * {@code memory.target} and {@code device.target}.
 */
@ComponentPropertyType
@ObjectClassDefinition(id = GpuPciConfig.PID, name = "neep virtio-gpu-pci",
        description = "Puts the virtio-gpu device behind a modern virtio-pci function that an in-process VMM's"
                + " PCI bus picks up as a dev.neep.virtio.pci.PciFunction service.")
public @interface GpuPciConfig {

    String PID = "dev.neep.gpu.pci";

    @AttributeDefinition(name = "Subsystem vendor id", min = "0", max = "65535",
            description = "PCI subsystem vendor id, 0 to 65535. Default 0x1af4 (6900), Red Hat.")
    int subsystem__vendor__id() default 0x1af4;

    @AttributeDefinition(name = "Subsystem id", min = "0", max = "65535",
            description = "PCI subsystem id, 0 to 65535; virtio asks for 0x40 or more. Default 0x1100 (4352),"
                    + " QEMU's.")
    int subsystem__id() default 0x1100;
}
