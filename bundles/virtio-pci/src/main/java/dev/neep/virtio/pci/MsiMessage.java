package dev.neep.virtio.pci;

/**
 * One MSI-X message: the 32-bit {@code data} the function writes to the 64-bit
 * {@code address}, as the driver programmed them into the vector's table entry.
 * The VMM turns it into an interrupt of its interrupt controller.
 */
public record MsiMessage(long address, int data) {

    @Override
    public String toString() {
        return String.format("MsiMessage[address=0x%x, data=0x%x]", address, data);
    }
}
