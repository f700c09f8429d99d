package dev.neep.gpu.vga;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The display tick of a VGA-compatible function: the VMM calls {@link #refresh} at its
 * display rate (for example 60 times a second, as QEMU's display refresh timer does).
 * Each call compares the guest's framebuffer with what the display sinks last got and
 * sends them what changed. Once the virtio driver has taken over, a call does nothing.
 */
@ProviderType
public interface VgaDisplay {

    /** Shows the VGA side's current picture to the display sinks; returns promptly. */
    void refresh();
}
