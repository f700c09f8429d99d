package dev.neep.gpu.vga.internal;

import dev.neep.config.support.TypedConfiguration;
import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.api.ScanoutId;
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
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The DS shell of virtio-vga: binds the virtio GPU device service, the VMM's guest memory and
 * every display sink, and registers the function as a {@link PciFunction} (for the VMM's PCI
 * bus), {@link VgaPorts} (for its I/O bus) and {@link VgaDisplay} (for its display tick). The
 * sinks are the same ones the GPU device binds: VGA frames and, after the hand-over, the
 * GPU's scanouts reach them on scanout 0.
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
    /** The GPU's name: a sink whose {@code neep.device} names other devices gets no VGA picture. */
    private final String device;

    @Activate
    public VirtioVgaComponent(
            @Reference(name = "device", target = "(virtio.device.id=16)") Map.Entry<Map<String, Object>, VirtioDevice> gpu,
            @Reference(name = "memory") GuestMemory memory, Map<String, Object> properties) {
        this.device = String.valueOf(gpu.getKey().getOrDefault(DisplaySink.DEVICE_PROPERTY, ScanoutId.DEFAULT_DEVICE));
        this.vga = new VirtioVga(device, gpu.getValue(), memory,
                VirtioVgaSettings.from(TypedConfiguration.read(VirtioVgaConfig.class, properties)));
    }

    @Deactivate
    void deactivate() {
        vga.close();
    }

    @Reference(name = "sink", cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindSink(DisplaySink sink, Map<String, Object> properties) {
        if (DisplaySink.isFor(properties.get(DisplaySink.DEVICE_PROPERTY), device)) {
            vga.addSink(sink);
        }
    }

    void unbindSink(DisplaySink sink) {
        vga.removeSink(sink);
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
