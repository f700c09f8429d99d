/**
 * The guest side of virtio-pci, test support: a driver that probes a
 * {@link dev.neep.virtio.pci.PciFunction} the way Linux's {@code virtio_pci_modern} does
 * (capability walk, BAR sizing and placement, feature negotiation, queue set-up through
 * the common configuration, notify writes, MSI-X). No production bundle exports it.
 */
@Export
@Version("1.1.0")
package dev.neep.virtio.pci.driver;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
