package dev.neep.virtio.pci;

/**
 * The numbers of the modern virtio-pci transport (virtio 1.2 §4.1): PCI ids, the
 * vendor-specific capability ({@code struct virtio_pci_cap}) and the layout of the
 * common configuration structure ({@code struct virtio_pci_common_cfg}).
 */
public final class VirtioPciRegs {

    public static final int VENDOR_ID = 0x1af4;
    /** A modern device's PCI device id is this plus its virtio device id. */
    public static final int DEVICE_ID_BASE = 0x1040;
    /** Non-transitional devices have revision 1. */
    public static final int REVISION = 1;

    public static final int PCI_CAP_COMMON_CFG = 1;
    public static final int PCI_CAP_NOTIFY_CFG = 2;
    public static final int PCI_CAP_ISR_CFG = 3;
    public static final int PCI_CAP_DEVICE_CFG = 4;
    public static final int PCI_CAP_PCI_CFG = 5;
    /** A shared memory region (virtio 1.2 §4.1.4.7), described by {@code struct virtio_pci_cap64}. */
    public static final int PCI_CAP_SHARED_MEMORY_CFG = 8;

    /** struct virtio_pci_cap: cap_vndr, cap_next, cap_len, cfg_type, bar, id, padding[2], offset, length. */
    public static final int CAP_LEN = 2;
    public static final int CAP_CFG_TYPE = 3;
    public static final int CAP_BAR = 4;
    public static final int CAP_ID = 5;
    public static final int CAP_OFFSET = 8;
    public static final int CAP_LENGTH = 12;
    public static final int CAP_SIZE = 16;
    /** struct virtio_pci_notify_cap adds notify_off_multiplier. */
    public static final int NOTIFY_CAP_MULTIPLIER = 16;
    public static final int NOTIFY_CAP_SIZE = 20;
    /** struct virtio_pci_cap64 adds offset_hi and length_hi: 64-bit offset and length. */
    public static final int CAP64_OFFSET_HI = 16;
    public static final int CAP64_LENGTH_HI = 20;
    public static final int CAP64_SIZE = 24;
    /** struct virtio_pci_cfg_cap adds pci_cfg_data[4]. */
    public static final int PCI_CFG_CAP_DATA = 16;
    public static final int PCI_CFG_CAP_SIZE = 20;

    public static final int COMMON_DFSELECT = 0x00;
    public static final int COMMON_DF = 0x04;
    public static final int COMMON_GFSELECT = 0x08;
    public static final int COMMON_GF = 0x0c;
    public static final int COMMON_MSIX = 0x10;
    public static final int COMMON_NUMQ = 0x12;
    public static final int COMMON_STATUS = 0x14;
    public static final int COMMON_CFGGENERATION = 0x15;
    public static final int COMMON_Q_SELECT = 0x16;
    public static final int COMMON_Q_SIZE = 0x18;
    public static final int COMMON_Q_MSIX = 0x1a;
    public static final int COMMON_Q_ENABLE = 0x1c;
    public static final int COMMON_Q_NOFF = 0x1e;
    public static final int COMMON_Q_DESCLO = 0x20;
    public static final int COMMON_Q_DESCHI = 0x24;
    public static final int COMMON_Q_AVAILLO = 0x28;
    public static final int COMMON_Q_AVAILHI = 0x2c;
    public static final int COMMON_Q_USEDLO = 0x30;
    public static final int COMMON_Q_USEDHI = 0x34;
    public static final int COMMON_Q_NDATA = 0x38;
    public static final int COMMON_Q_RESET = 0x3a;
    /** Bytes of struct virtio_pci_common_cfg in virtio 1.2 (with queue_notify_data and queue_reset). */
    public static final int COMMON_SIZE = 0x3c;

    /** No MSI-X vector: the event raises no interrupt. */
    public static final int NO_VECTOR = 0xffff;

    public static final int ISR_QUEUE = 1;
    public static final int ISR_CONFIG = 2;

    private VirtioPciRegs() {
    }
}
