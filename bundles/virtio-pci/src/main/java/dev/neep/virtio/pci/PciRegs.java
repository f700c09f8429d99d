package dev.neep.virtio.pci;

/** Offsets and bits of the type 0 PCI configuration header (PCI Local Bus 3.0 §6.2) that virtio-pci uses. */
public final class PciRegs {

    public static final int VENDOR_ID = 0x00;
    public static final int DEVICE_ID = 0x02;
    public static final int COMMAND = 0x04;
    public static final int STATUS = 0x06;
    public static final int REVISION_ID = 0x08;
    /** Programming interface, sub-class, base class: the 24-bit class code starts here. */
    public static final int CLASS_PROG = 0x09;
    public static final int CACHE_LINE_SIZE = 0x0c;
    public static final int HEADER_TYPE = 0x0e;
    public static final int BAR0 = 0x10;
    public static final int SUBSYSTEM_VENDOR_ID = 0x2c;
    public static final int SUBSYSTEM_ID = 0x2e;
    public static final int ROM_ADDRESS = 0x30;
    public static final int CAPABILITY_LIST = 0x34;
    public static final int INTERRUPT_LINE = 0x3c;
    public static final int INTERRUPT_PIN = 0x3d;

    public static final int COMMAND_IO = 1;
    public static final int COMMAND_MEMORY = 1 << 1;
    public static final int COMMAND_MASTER = 1 << 2;
    public static final int COMMAND_INTX_DISABLE = 1 << 10;

    public static final int STATUS_INTERRUPT = 1 << 3;
    public static final int STATUS_CAP_LIST = 1 << 4;

    public static final int BAR_MEM_TYPE_64 = 0x4;
    public static final int BAR_MEM_PREFETCH = 0x8;
    public static final int BAR_FLAG_BITS = 0xf;

    public static final int CAP_ID_VENDOR = 0x09;
    public static final int CAP_ID_MSIX = 0x11;

    /** MSI-X capability: message control (16 bits), table offset/BIR, PBA offset/BIR. */
    public static final int MSIX_FLAGS = 2;
    public static final int MSIX_TABLE = 4;
    public static final int MSIX_PBA = 8;
    public static final int MSIX_CAP_SIZE = 12;
    public static final int MSIX_FLAGS_QSIZE = 0x07ff;
    public static final int MSIX_FLAGS_MASKALL = 1 << 14;
    public static final int MSIX_FLAGS_ENABLE = 1 << 15;
    public static final int MSIX_BIR_MASK = 0x7;
    /** Bytes per MSI-X table entry: address low, address high, data, vector control. */
    public static final int MSIX_ENTRY_SIZE = 16;
    public static final int MSIX_ENTRY_DATA = 8;
    public static final int MSIX_ENTRY_VECTOR_CTRL = 12;
    public static final int MSIX_ENTRY_CTRL_MASKBIT = 1;

    private PciRegs() {
    }
}
