package dev.neep.gpu.pci.internal;

import dev.neep.config.support.TypedConfiguration;
import dev.neep.virtio.GuestMemory;
import dev.neep.virtio.VirtioDevice;
import dev.neep.virtio.pci.ForwardingPciFunction;
import dev.neep.virtio.pci.PciFunction;
import dev.neep.virtio.pci.SharedMemoryBar;
import dev.neep.virtio.pci.VirtioPciFunction;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The DS shell of virtio-gpu-pci: binds the virtio GPU device service and the VMM's guest
 * memory service and registers the resulting {@link PciFunction}. A VMM's PCI bus tracks
 * {@code PciFunction} services, plugs each into a slot and wires its interrupts with
 * {@link PciFunction#connect}. When either reference goes away the function is reset and
 * unregistered; the bus sees the service leave (a hot-unplug). Without a VMM in the framework
 * the component waits for guest memory, which runtime-status reports as normal. A VMM that
 * registers a {@link SharedMemoryBar} service gets the device's host-visible region (its
 * {@code hostmem} bytes) as BAR 2, into which host blobs are mapped; without one there is none.
 */
@Component(configurationPid = GpuPciConfig.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        service = PciFunction.class,
        property = {"pci.vendor.id:Integer=6900", "pci.device.id:Integer=4176", "pci.class.code:Integer=229376",
            "virtio.device.id:Integer=16",
            "neep.status.may.wait=waits for the embedding VMM's dev.neep.virtio.GuestMemory service"})
@Designate(ocd = GpuPciConfig.class)
@GpuPciConfig
public final class GpuPciComponent extends ForwardingPciFunction {

    private final VirtioPciFunction function;

    @Activate
    public GpuPciComponent(@Reference(name = "device", target = "(virtio.device.id=16)") VirtioDevice device,
            @Reference(name = "memory") GuestMemory memory,
            @Reference(name = "sharedMemory", cardinality = ReferenceCardinality.OPTIONAL,
                    policyOption = ReferencePolicyOption.GREEDY) SharedMemoryBar sharedMemory,
            Map<String, Object> properties) {
        GpuPciSettings settings = GpuPciSettings.from(TypedConfiguration.read(GpuPciConfig.class, properties));
        this.function = GpuPci.function(device, memory, sharedMemory, settings.subsystemVendorId(),
                settings.subsystemId());
    }

    @Deactivate
    void deactivate() {
        function.close();
    }

    @Override
    protected PciFunction delegate() {
        return function;
    }
}
