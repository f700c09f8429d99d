/**
 * What a VMM wires besides the PCI function when it plugs neep's {@code virtio-vga}:
 * {@link dev.neep.gpu.vga.VgaPorts} (the legacy Bochs VBE I/O ports, for its I/O bus) and
 * {@link dev.neep.gpu.vga.VgaDisplay} (the display tick that shows the VBE framebuffer).
 * The function itself is a {@code dev.neep.virtio.pci.PciFunction}.
 * Both are implemented here and called by the VMM ({@code @ProviderType}).
 */
@Export
@Version("1.0.0")
package dev.neep.gpu.vga;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
