package dev.neep.gpu.vga;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The legacy I/O ports of a VGA-compatible function that a VMM routes from its I/O bus:
 * the Bochs VBE "DISPI" index and data ports. They are decoded whatever the PCI command
 * register says, as on real VGA hardware and in QEMU. Values are little-endian; an access
 * size other than 1, 2 or 4 is the VMM's mistake ({@link IllegalArgumentException}).
 * Safe for concurrent use by several vCPU threads.
 */
@ProviderType
public interface VgaPorts {

    /** The DISPI index register. */
    int VBE_DISPI_INDEX_PORT = 0x1ce;

    /** The DISPI data register, as x86 guests use it. */
    int VBE_DISPI_DATA_PORT = 0x1cf;

    /** The data register where QEMU puts it for guests other than x86. */
    int VBE_DISPI_DATA_PORT_ALT = 0x1d0;

    /** True for the ports this function answers; the VMM sends only those here. */
    boolean decodes(int port);

    /** Reads {@code size} bytes at {@code port}; a port not decoded reads all ones, as a floating bus. */
    int ioRead(int port, int size);

    /** Writes {@code size} bytes to {@code port}; a port not decoded ignores the write. */
    void ioWrite(int port, int size, int value);
}
