package dev.neep.virtio.pci;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * What a PCI function signals to the VMM; the VMM implements it and hands it to
 * {@link PciFunction#connect}.
 *
 * <p>Called from the device's threads and from the threads that access the function.
 * {@link #setIntx} is called with the function's interrupt state locked so that level
 * changes arrive in order; an implementation records the level and returns, and must
 * not wait for another thread that accesses the same function.
 */
@ConsumerType
public interface InterruptLine {

    /** Deliver one MSI-X message (MSI-X enabled, vector unmasked, bus mastering on). */
    void sendMsi(MsiMessage message);

    /** The level of the function's INTx pin (INTA#) changed: {@code true} asserted. */
    void setIntx(boolean asserted);
}
