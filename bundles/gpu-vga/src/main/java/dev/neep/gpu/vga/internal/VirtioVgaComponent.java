package dev.neep.gpu.vga.internal;

import dev.neep.config.support.TypedConfiguration;
import dev.neep.gpu.vga.VgaDisplay;
import dev.neep.gpu.vga.VgaPorts;
import dev.neep.virtio.GuestMemory;
import dev.neep.virtio.VirtioDevice;
import dev.neep.virtio.pci.ForwardingPciFunction;
import dev.neep.virtio.pci.PciFunction;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The DS shell of virtio-vga: binds the virtio GPU device service and the VMM's guest memory,
 * and registers the function as a {@link PciFunction} (for the VMM's PCI bus), {@link VgaPorts}
 * (for its I/O bus) and {@link VgaDisplay} (for its display tick). It binds no sinks: the VGA
 * pictures go to the GPU device (its service object is gpu-device's {@code VgaScanout} too),
 * which shows them to the sinks it binds.
 */
@Component(configurationPid = VirtioVgaConfig.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {PciFunction.class, VgaPorts.class, VgaDisplay.class},
        property = {"pci.vendor.id:Integer=6900", "pci.device.id:Integer=4176", "pci.class.code:Integer=196608",
            "virtio.device.id:Integer=16",
            "neep.status.may.wait=waits for the embedding VMM's dev.neep.virtio.GuestMemory service"})
@Designate(ocd = VirtioVgaConfig.class)
@VirtioVgaConfig
public final class VirtioVgaComponent extends ForwardingPciFunction implements VgaPorts, VgaDisplay {

    private final VirtioVga vga;

    @Activate
    public VirtioVgaComponent(@Reference(name = "device", target = "(virtio.device.id=16)") VirtioDevice gpu,
            @Reference(name = "memory") GuestMemory memory, Map<String, Object> properties) {
        this.vga = new VirtioVga(gpu, memory,
                VirtioVgaSettings.from(TypedConfiguration.read(VirtioVgaConfig.class, properties)));
    }

    @Deactivate
    void deactivate() {
        vga.close();
    }

    @Override
    public void refresh() {
        vga.refresh();
    }

    @Override
    public boolean decodes(int port) {
        return vga.decodes(port);
    }

    @Override
    public int ioRead(int port, int size) {
        return vga.ioRead(port, size);
    }

    @Override
    public void ioWrite(int port, int size, int value) {
        vga.ioWrite(port, size, value);
    }

    @Override
    protected PciFunction delegate() {
        return vga;
    }
}
