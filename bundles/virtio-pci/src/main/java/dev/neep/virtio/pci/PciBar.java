package dev.neep.virtio.pci;

/**
 * One base address register a function implements.
 *
 * @param index         0..5; a 64-bit BAR also takes {@code index + 1}
 * @param size          bytes decoded, a power of two
 * @param is64          a 64-bit memory BAR
 * @param prefetchable  reads have no side effects
 */
public record PciBar(int index, long size, boolean is64, boolean prefetchable) {

    public PciBar {
        if (index < 0 || index > (is64 ? 4 : 5)) {
            throw new IllegalArgumentException("BAR index " + index + " out of range");
        }
        if (size < 16 || Long.bitCount(size) != 1) {
            throw new IllegalArgumentException("BAR size " + size + " is not a power of two of at least 16");
        }
    }
}
