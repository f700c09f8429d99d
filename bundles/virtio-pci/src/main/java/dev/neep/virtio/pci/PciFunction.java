package dev.neep.virtio.pci;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A PCI function as a VMM's PCI bus sees it: a 256-byte type 0 configuration space and
 * memory BARs. The bus routes configuration cycles (CF8/CFC or ECAM) to
 * {@link #configRead}/{@link #configWrite}, and an MMIO access that falls in a BAR the
 * driver placed ({@link #barAddress}) and enabled (command register bit 1) to
 * {@link #barRead}/{@link #barWrite} with the offset inside that BAR.
 *
 * <p>Values are little-endian as on the bus. A size outside the allowed set is the
 * VMM's mistake ({@link IllegalArgumentException}); an offset outside the space or the
 * BAR is the guest's, and reads as zero and writes nothing. Safe for concurrent use by
 * several vCPU threads.
 */
@ProviderType
public interface PciFunction {

    /** Bytes of configuration space a conventional PCI function has. */
    int CONFIG_SPACE_SIZE = 256;

    /** Reads {@code size} (1, 2 or 4) bytes of configuration space at {@code offset}. */
    int configRead(int offset, int size);

    /** Writes {@code size} (1, 2 or 4) bytes of configuration space; read-only bits keep their value. */
    void configWrite(int offset, int size, int value);

    /** The BARs the function implements. */
    List<PciBar> bars();

    /** The address the driver wrote into BAR {@code index} (both halves of a 64-bit one), flag bits cleared. */
    long barAddress(int index);

    /** True when the command register enables memory decoding, so BAR accesses should reach the function. */
    boolean memoryEnabled();

    /** Reads {@code size} (1, 2, 4 or 8) bytes at {@code offset} in BAR {@code bar}. */
    long barRead(int bar, long offset, int size);

    /** Writes {@code size} (1, 2, 4 or 8) bytes at {@code offset} in BAR {@code bar}. */
    void barWrite(int bar, long offset, int size, long value);

    /** Wires the function's interrupts to {@code line}, replacing any earlier one; {@code null} disconnects. */
    void connect(InterruptLine line);

    /** A bus or function-level reset: configuration space back to its power-on values, the device reset. */
    void reset();
}
