/**
 * The modern virtio-pci transport of virtio 1.2 §4.1 as a PCI function that an
 * in-process VMM puts on its PCI bus: {@link dev.neep.virtio.pci.PciFunction} is what the
 * bus calls (configuration space, BARs), {@link dev.neep.virtio.pci.InterruptLine} what the
 * function calls back (MSI-X messages, the INTx level), and
 * {@link dev.neep.virtio.pci.VirtioPciFunction} the transport over one
 * {@code dev.neep.virtio.VirtioDevice}.
 *
 * <p>Nothing here knows OSGi.
 *
 * <p>Roles (see gpu-api's package documentation for the rule): the VMM calls a
 * {@link dev.neep.virtio.pci.PciFunction} that neep's bundles implement, so it is
 * {@code @ProviderType} (gpu-pci and gpu-vga implement it through
 * {@link dev.neep.virtio.pci.ForwardingPciFunction}); the VMM implements
 * {@link dev.neep.virtio.pci.InterruptLine}, which the function calls, so it is
 * {@code @ConsumerType}, and so is {@link dev.neep.virtio.pci.SharedMemoryBar}, what a VMM
 * gives a function to map its device's shared memory regions into the guest;
 * {@link dev.neep.virtio.pci.JavaSharedMemoryBar} is the reference one, serving the guest's
 * accesses in Java.
 */
@Export
@Version("1.1.0")
package dev.neep.virtio.pci;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
