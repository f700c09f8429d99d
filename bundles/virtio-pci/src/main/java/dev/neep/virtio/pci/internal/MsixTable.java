package dev.neep.virtio.pci.internal;

import dev.neep.virtio.pci.MsiMessage;
import dev.neep.virtio.pci.PciRegs;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The MSI-X table and pending bit array of one function (PCI Local Bus 3.0 §6.8.2), with
 * the enable and function-mask bits of the capability's message control. A vector that
 * fires while it cannot be sent (MSI-X masked, the entry masked, bus mastering off) sets
 * its pending bit; the message goes out when the obstacle is lifted. Not thread-safe;
 * the function's interrupt lock guards it.
 */
public final class MsixTable {
    private final int vectors;
    private final byte[] table;
    private final long[] pending;
    private boolean enabled;
    private boolean functionMasked;
    private boolean busMaster;

    public MsixTable(int vectors) {
        if (vectors < 1 || vectors > PciRegs.MSIX_FLAGS_QSIZE + 1) {
            throw new IllegalArgumentException("MSI-X vector count " + vectors + " is not 1..2048");
        }
        this.vectors = vectors;
        this.table = new byte[vectors * PciRegs.MSIX_ENTRY_SIZE];
        this.pending = new long[(vectors + 63) / 64];
        reset();
    }

    public int vectors() {
        return vectors;
    }

    public int tableBytes() {
        return table.length;
    }

    public int pbaBytes() {
        return pending.length * 8;
    }

    /** Power-on state: disabled, every entry masked and zero, nothing pending. */
    public void reset() {
        Arrays.fill(table, (byte) 0);
        for (int v = 0; v < vectors; v++) {
            table[v * PciRegs.MSIX_ENTRY_SIZE + PciRegs.MSIX_ENTRY_VECTOR_CTRL] = PciRegs.MSIX_ENTRY_CTRL_MASKBIT;
        }
        clearPending();
        enabled = false;
        functionMasked = false;
    }

    public void clearPending() {
        Arrays.fill(pending, 0);
    }

    public boolean enabled() {
        return enabled;
    }

    /** Applies message control and bus mastering; returns the pending messages this unblocked. */
    public List<MsiMessage> setControl(boolean enable, boolean maskAll, boolean master) {
        enabled = enable;
        functionMasked = maskAll;
        busMaster = master;
        return releasePending();
    }

    /** Vector {@code vector} fires: its message, or {@code null} when it is held pending or does not exist. */
    public MsiMessage fire(int vector) {
        if (vector < 0 || vector >= vectors) {
            return null;
        }
        if (!enabled) {
            return null;
        }
        if (blocked(vector)) {
            pending[vector / 64] |= 1L << (vector % 64);
            return null;
        }
        return message(vector);
    }

    public boolean isPending(int vector) {
        return (pending[vector / 64] & (1L << (vector % 64))) != 0;
    }

    /** Reads table bytes; past the table reads zero. */
    public long readTable(long offset, int size) {
        return readBytes(table, offset, size);
    }

    /** Writes table bytes; returns the pending messages an unmasking write released. */
    public List<MsiMessage> writeTable(long offset, int size, long value) {
        for (int i = 0; i < size; i++) {
            long at = offset + i;
            if (at >= 0 && at < table.length) {
                int inEntry = (int) (at % PciRegs.MSIX_ENTRY_SIZE);
                byte b = (byte) (value >>> (8 * i));
                // Only bit 0 of vector control is defined; the rest is reserved, reads zero.
                if (inEntry == PciRegs.MSIX_ENTRY_VECTOR_CTRL) {
                    b &= PciRegs.MSIX_ENTRY_CTRL_MASKBIT;
                } else if (inEntry > PciRegs.MSIX_ENTRY_VECTOR_CTRL) {
                    b = 0;
                }
                table[(int) at] = b;
            }
        }
        return releasePending();
    }

    public long readPba(long offset, int size) {
        byte[] bytes = new byte[pending.length * 8];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (pending[i / 8] >>> (8 * (i % 8)));
        }
        return readBytes(bytes, offset, size);
    }

    private boolean blocked(int vector) {
        int ctrl = table[vector * PciRegs.MSIX_ENTRY_SIZE + PciRegs.MSIX_ENTRY_VECTOR_CTRL];
        return functionMasked || !busMaster || (ctrl & PciRegs.MSIX_ENTRY_CTRL_MASKBIT) != 0;
    }

    private List<MsiMessage> releasePending() {
        if (!enabled) {
            return List.of();
        }
        List<MsiMessage> out = new ArrayList<>();
        for (int v = 0; v < vectors; v++) {
            if (isPending(v) && !blocked(v)) {
                pending[v / 64] &= ~(1L << (v % 64));
                out.add(message(v));
            }
        }
        return out;
    }

    private MsiMessage message(int vector) {
        int base = vector * PciRegs.MSIX_ENTRY_SIZE;
        long address = readBytes(table, base, 8);
        int data = (int) readBytes(table, base + PciRegs.MSIX_ENTRY_DATA, 4);
        return new MsiMessage(address, data);
    }

    private static long readBytes(byte[] bytes, long offset, int size) {
        long value = 0;
        for (int i = 0; i < size; i++) {
            long at = offset + i;
            if (at >= 0 && at < bytes.length) {
                value |= (bytes[(int) at] & 0xffL) << (8 * i);
            }
        }
        return value;
    }
}
