package dev.neep.gpu.vga.internal;

import org.osgi.service.component.annotations.ComponentPropertyType;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of virtio-vga, PID {@value #PID}: its metatype and the typed interface
 * {@link VirtioVgaSettings} checks. The component starts only once this is
 * configured: a VMM plugs either virtio-vga or virtio-gpu-pci for the one GPU, never both.
 * It needs a {@code dev.neep.virtio.GuestMemory} service from the VMM and the virtio GPU
 * device service, chosen by the DS target properties {@code memory.target} and
 * {@code device.target}.
 */
@ComponentPropertyType
@ObjectClassDefinition(id = VirtioVgaConfig.PID, name = "neep virtio-vga",
        description = "The virtio-gpu device as a VGA-class PCI function with a VRAM BAR and the Bochs VBE"
                + " interface, shown until the guest's virtio driver takes over. Registers a"
                + " dev.neep.virtio.pci.PciFunction, a dev.neep.gpu.vga.VgaPorts and a dev.neep.gpu.vga.VgaDisplay.")
public @interface VirtioVgaConfig {

    String PID = "dev.neep.gpu.vga";

    @AttributeDefinition(name = "VRAM size (MiB)", min = "1", max = "1024",
            description = "Video memory in BAR 0, a power of two from 1 to 1024 MiB. Default 16, QEMU's.")
    int vram__size__mb() default 16;

    @AttributeDefinition(name = "Direct VRAM",
            description = "Keep the VRAM off the Java heap, where a VMM can map it into the guest. Default false.")
    boolean vram__direct() default false;

    @AttributeDefinition(name = "Subsystem vendor id", min = "0", max = "65535",
            description = "PCI subsystem vendor id, 0 to 65535. Default 0x1af4 (6900), Red Hat.")
    int subsystem__vendor__id() default 0x1af4;

    @AttributeDefinition(name = "Subsystem id", min = "0", max = "65535",
            description = "PCI subsystem id, 0 to 65535. Default 0x1100 (4352), QEMU's.")
    int subsystem__id() default 0x1100;
}
