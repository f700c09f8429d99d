package dev.neep.virtio.pci;

import static dev.neep.virtio.pci.VirtioPciRegs.NO_VECTOR;

import dev.neep.virtio.DeviceStatus;
import dev.neep.virtio.GuestMemory;
import dev.neep.virtio.Interrupts;
import dev.neep.virtio.InvalidQueueException;
import dev.neep.virtio.OnceLog;
import dev.neep.virtio.VirtioDevice;
import dev.neep.virtio.VirtioFeatures;
import dev.neep.virtio.Virtqueue;
import dev.neep.virtio.pci.internal.ConfigSpace;
import dev.neep.virtio.pci.internal.MsixTable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The modern virtio-pci transport (virtio 1.2 §4.1) over one {@link VirtioDevice}: a PCI
 * function a VMM puts on its bus.
 *
 * <p>Layout, as QEMU's modern virtio-pci devices have it:
 * <ul>
 * <li>BAR {@value #MSIX_BAR}: 32-bit memory, the MSI-X table at 0 and the PBA after it;
 * one vector per queue plus one for configuration changes.</li>
 * <li>BAR {@value #VIRTIO_BAR} (and 5): 64-bit prefetchable memory, one 4 KiB page each for
 * the common configuration and the ISR status, then the device configuration (when the
 * device has one), then the notify area with {@code notify_off_multiplier}
 * {@value #NOTIFY_OFF_MULTIPLIER} and {@code queue_notify_off} equal to the queue index.</li>
 * <li>Capabilities: COMMON, ISR, DEVICE, NOTIFY, PCI_CFG (the window for drivers that
 * cannot map BARs) and MSI-X.</li>
 * </ul>
 *
 * <p>Driver mistakes are answered the spec's way and logged once per cause: FEATURES_OK is
 * refused when the driver accepted a feature the device did not offer; at DRIVER_OK every
 * enabled queue becomes a {@link Virtqueue}, and a configuration it refuses (or a size above
 * the device's maximum) sets DEVICE_NEEDS_RESET instead of activating the device. The device
 * SPI takes its queues in index order, so the enabled queues must be 0..k-1.
 *
 * <p>Threading: any number of threads may access the function. Driver-side accesses are
 * serialized by one lock; the device's interrupts take only a second, inner lock, so a
 * device whose {@link VirtioDevice#reset} waits for its own thread cannot deadlock with it.
 */
public final class VirtioPciFunction implements PciFunction, AutoCloseable {
    public static final int MSIX_BAR = 1;
    public static final int VIRTIO_BAR = 4;
    public static final int NOTIFY_OFF_MULTIPLIER = 4;

    private static final Logger LOG = LoggerFactory.getLogger(VirtioPciFunction.class);
    private static final int REGION = 0x1000;
    private static final int CAP_START = 0x40;
    /** Transport features this implementation cannot honour: packed rings, notification data, per-queue reset, SR-IOV. */
    private static final long UNSUPPORTED = VirtioFeatures.bit(VirtioFeatures.VIRTIO_F_RING_PACKED)
            | VirtioFeatures.bit(VirtioFeatures.VIRTIO_F_NOTIFICATION_DATA)
            | VirtioFeatures.bit(VirtioFeatures.VIRTIO_F_NOTIF_CONFIG_DATA)
            | VirtioFeatures.bit(VirtioFeatures.VIRTIO_F_RING_RESET)
            | VirtioFeatures.bit(VirtioFeatures.VIRTIO_F_SR_IOV);
    private static final int DRIVER_STATUS_BITS = DeviceStatus.ACKNOWLEDGE | DeviceStatus.DRIVER
            | DeviceStatus.FEATURES_OK | DeviceStatus.DRIVER_OK | DeviceStatus.FAILED;
    /** struct virtio_pci_common_cfg fields, by offset and size; 64-bit addresses are one field each. */
    private static final int[][] COMMON_FIELDS = {
        {VirtioPciRegs.COMMON_DFSELECT, 4}, {VirtioPciRegs.COMMON_DF, 4}, {VirtioPciRegs.COMMON_GFSELECT, 4},
        {VirtioPciRegs.COMMON_GF, 4}, {VirtioPciRegs.COMMON_MSIX, 2}, {VirtioPciRegs.COMMON_NUMQ, 2},
        {VirtioPciRegs.COMMON_STATUS, 1}, {VirtioPciRegs.COMMON_CFGGENERATION, 1},
        {VirtioPciRegs.COMMON_Q_SELECT, 2}, {VirtioPciRegs.COMMON_Q_SIZE, 2}, {VirtioPciRegs.COMMON_Q_MSIX, 2},
        {VirtioPciRegs.COMMON_Q_ENABLE, 2}, {VirtioPciRegs.COMMON_Q_NOFF, 2}, {VirtioPciRegs.COMMON_Q_DESCLO, 8},
        {VirtioPciRegs.COMMON_Q_AVAILLO, 8}, {VirtioPciRegs.COMMON_Q_USEDLO, 8}, {VirtioPciRegs.COMMON_Q_NDATA, 2},
        {VirtioPciRegs.COMMON_Q_RESET, 2},
    };

    /**
     * Identity of the function on the bus.
     *
     * @param classCode          24-bit class code (base class, sub-class, programming interface)
     * @param subsystemVendorId  16-bit subsystem vendor id
     * @param subsystemId        16-bit subsystem id (the spec asks for 0x40 or more for modern devices)
     */
    public record Options(int classCode, int subsystemVendorId, int subsystemId) {
        /** Display controller, other (QEMU's virtio-gpu-pci). */
        public static final int CLASS_DISPLAY_OTHER = 0x038000;
        /** Display controller, VGA compatible (virtio-vga). */
        public static final int CLASS_DISPLAY_VGA = 0x030000;
        public static final int CLASS_NETWORK_ETHERNET = 0x020000;
        public static final int CLASS_STORAGE_SCSI = 0x010000;
        public static final int CLASS_OTHER = 0xff0000;

        public Options {
            if ((classCode & ~0xffffff) != 0) {
                throw new IllegalArgumentException(String.format("class code 0x%x is not 24 bits", classCode));
            }
            if ((subsystemVendorId & ~0xffff) != 0 || (subsystemId & ~0xffff) != 0) {
                throw new IllegalArgumentException(String.format("subsystem ids 0x%x:0x%x are not 16 bits",
                        subsystemVendorId, subsystemId));
            }
        }

        /** The class QEMU gives the device type, the Red Hat subsystem vendor and QEMU's subsystem id 0x1100. */
        public static Options forDevice(int virtioDeviceId) {
            int classCode = switch (virtioDeviceId) {
                case 1 -> CLASS_NETWORK_ETHERNET;
                case 2 -> CLASS_STORAGE_SCSI;
                case 16 -> CLASS_DISPLAY_OTHER;
                default -> CLASS_OTHER;
            };
            return new Options(classCode, VirtioPciRegs.VENDOR_ID, 0x1100);
        }

        public Options withClassCode(int code) {
            return new Options(code, subsystemVendorId, subsystemId);
        }

        public Options withSubsystem(int vendorId, int id) {
            return new Options(classCode, vendorId, id);
        }
    }

    private static final class QueueConfig {
        int size;
        boolean enabled;
        long desc;
        long driver;
        long device;
    }

    private final VirtioDevice device;
    private final GuestMemory memory;
    private final Options options;
    private final OnceLog log;
    private final int queueCount;
    private final int deviceConfigSize;
    private final long isrOffset;
    private final long deviceOffset;
    private final long notifyOffset;
    private final long virtioBarSize;
    private final long pbaOffset;
    private final long msixBarSize;
    private final int capDevice;
    private final int capNotify;
    private final int capPciCfg;
    private final int capMsix;

    // Driver-side state, guarded by lock.
    private final Object lock = new Object();
    private final ConfigSpace config = new ConfigSpace();
    private final QueueConfig[] queues;
    private int deviceFeatureSelect;
    private int driverFeatureSelect;
    private long driverFeatures;
    private int status;
    private int queueSelect;
    private boolean active;

    // Interrupt state, guarded by irqLock (taken after lock, never before it).
    private final Object irqLock = new Object();
    private final MsixTable msix;
    private final int[] queueVector;
    private int configVector = NO_VECTOR;
    private int isr;
    private int generation;
    private int epoch;
    private boolean intxDisabled;
    private boolean intxLevel;
    private InterruptLine line;

    public VirtioPciFunction(VirtioDevice device, GuestMemory memory) {
        this(device, memory, Options.forDevice(device.deviceId()));
    }

    public VirtioPciFunction(VirtioDevice device, GuestMemory memory, Options options) {
        this.device = Objects.requireNonNull(device, "device");
        this.memory = Objects.requireNonNull(memory, "memory");
        this.options = Objects.requireNonNull(options, "options");
        int id = device.deviceId();
        if (id < 1 || id > 0xffff - VirtioPciRegs.DEVICE_ID_BASE) {
            throw new IllegalArgumentException("virtio device id " + id + " has no modern PCI device id");
        }
        this.log = new OnceLog(LOG, "virtio-pci " + String.format("%04x", VirtioPciRegs.DEVICE_ID_BASE + id));
        this.queueCount = device.queueCount();
        if (queueCount < 0 || queueCount > 0xffff) {
            throw new IllegalArgumentException("queue count " + queueCount + " is not 0..65535");
        }
        this.deviceConfigSize = device.configSize();
        if (deviceConfigSize < 0) {
            throw new IllegalArgumentException("config size " + deviceConfigSize + " is negative");
        }

        isrOffset = REGION;
        long next = 2L * REGION;
        deviceOffset = next;
        if (deviceConfigSize > 0) {
            next += roundUp(deviceConfigSize, REGION);
        }
        notifyOffset = next;
        next += roundUp((long) Math.max(queueCount, 1) * NOTIFY_OFF_MULTIPLIER, REGION);
        virtioBarSize = Long.highestOneBit(next - 1) << 1;

        msix = new MsixTable(Math.min(queueCount + 1, PciRegs.MSIX_FLAGS_QSIZE + 1));
        pbaOffset = roundUp(msix.tableBytes(), 8);
        long msixEnd = Math.max(REGION, pbaOffset + msix.pbaBytes());
        msixBarSize = Long.bitCount(msixEnd) == 1 ? msixEnd : Long.highestOneBit(msixEnd) << 1;

        int at = CAP_START + 2 * VirtioPciRegs.CAP_SIZE;
        capDevice = deviceConfigSize > 0 ? at : -1;
        at += deviceConfigSize > 0 ? VirtioPciRegs.CAP_SIZE : 0;
        capNotify = at;
        capPciCfg = capNotify + VirtioPciRegs.NOTIFY_CAP_SIZE;
        capMsix = capPciCfg + VirtioPciRegs.PCI_CFG_CAP_SIZE;

        queues = new QueueConfig[queueCount];
        queueVector = new int[queueCount];
        for (int q = 0; q < queueCount; q++) {
            queues[q] = new QueueConfig();
        }
        synchronized (lock) {
            initConfigSpace();
            resetQueues();
        }
        Arrays.fill(queueVector, NO_VECTOR);
    }

    public VirtioDevice device() {
        return device;
    }

    public Options options() {
        return options;
    }

    /** The device status as the driver last left it (for VMM monitors and tests). */
    public int deviceStatus() {
        synchronized (lock) {
            return status;
        }
    }

    // ---- PciFunction: configuration space ----

    @Override
    public int configRead(int offset, int size) {
        checkConfigSize(size);
        synchronized (lock) {
            if (ConfigSpace.overlaps(offset, size, capPciCfg + VirtioPciRegs.PCI_CFG_CAP_DATA, 4)) {
                pciCfgAccess(false);
            }
            int value = config.read(offset, size);
            if (ConfigSpace.overlaps(offset, size, PciRegs.STATUS, 1)) {
                boolean pending;
                synchronized (irqLock) {
                    pending = isr != 0 && !msix.enabled();
                }
                int bit = PciRegs.STATUS_INTERRUPT << (8 * (PciRegs.STATUS - offset));
                value = pending ? value | bit : value & ~bit;
            }
            return value;
        }
    }

    @Override
    public void configWrite(int offset, int size, int value) {
        checkConfigSize(size);
        List<MsiMessage> released = List.of();
        synchronized (lock) {
            config.write(offset, size, value);
            if (ConfigSpace.overlaps(offset, size, PciRegs.COMMAND, 2)
                    || ConfigSpace.overlaps(offset, size, capMsix + PciRegs.MSIX_FLAGS, 2)) {
                released = interruptControlChanged();
            }
            if (ConfigSpace.overlaps(offset, size, capPciCfg + VirtioPciRegs.PCI_CFG_CAP_DATA, 4)) {
                pciCfgAccess(true);
            }
        }
        send(released);
    }

    @Override
    public List<PciBar> bars() {
        return List.of(new PciBar(MSIX_BAR, msixBarSize, false, false),
                new PciBar(VIRTIO_BAR, virtioBarSize, true, true));
    }

    @Override
    public long barAddress(int index) {
        synchronized (lock) {
            if (index == MSIX_BAR) {
                return config.read(PciRegs.BAR0 + 4 * MSIX_BAR, 4) & 0xffff_fff0L;
            }
            if (index == VIRTIO_BAR) {
                long low = config.read(PciRegs.BAR0 + 4 * VIRTIO_BAR, 4) & 0xffff_fff0L;
                long high = config.read(PciRegs.BAR0 + 4 * VIRTIO_BAR + 4, 4) & 0xffff_ffffL;
                return high << 32 | low;
            }
        }
        throw new IllegalArgumentException("BAR " + index + " is not implemented");
    }

    @Override
    public boolean memoryEnabled() {
        synchronized (lock) {
            return (config.read(PciRegs.COMMAND, 2) & PciRegs.COMMAND_MEMORY) != 0;
        }
    }

    // ---- PciFunction: BARs ----

    @Override
    public long barRead(int bar, long offset, int size) {
        checkBarSize(size);
        if (bar == MSIX_BAR) {
            synchronized (irqLock) {
                if (offset >= 0 && offset < msix.tableBytes()) {
                    return msix.readTable(offset, size);
                }
                if (offset >= pbaOffset && offset < pbaOffset + msix.pbaBytes()) {
                    return msix.readPba(offset - pbaOffset, size);
                }
            }
            return outside(bar, offset, size, "read");
        }
        if (bar != VIRTIO_BAR) {
            return outside(bar, offset, size, "read");
        }
        synchronized (lock) {
            if (offset >= 0 && offset < REGION) {
                return commonRead((int) offset, size);
            }
            if (offset == isrOffset) {
                return readIsr();
            }
            if (offset > isrOffset && offset < isrOffset + REGION) {
                return 0;
            }
            if (deviceConfigSize > 0 && offset >= deviceOffset && offset < deviceOffset + deviceConfigSize) {
                byte[] bytes = new byte[size];
                device.readConfig((int) (offset - deviceOffset), bytes);
                long value = 0;
                for (int i = 0; i < size; i++) {
                    value |= (bytes[i] & 0xffL) << (8 * i);
                }
                return value;
            }
            if (offset >= notifyOffset && offset < virtioBarSize) {
                return 0;
            }
        }
        return outside(bar, offset, size, "read");
    }

    @Override
    public void barWrite(int bar, long offset, int size, long value) {
        checkBarSize(size);
        if (bar == MSIX_BAR) {
            List<MsiMessage> released = null;
            synchronized (irqLock) {
                if (offset >= 0 && offset < msix.tableBytes()) {
                    released = msix.writeTable(offset, size, value);
                }
            }
            if (released != null) {
                send(released);
            } else if (offset >= pbaOffset && offset < pbaOffset + msix.pbaBytes()) {
                log.guest("PBA write", "the pending bit array is read-only");
            } else {
                outside(bar, offset, size, "write");
            }
            return;
        }
        if (bar != VIRTIO_BAR) {
            outside(bar, offset, size, "write");
            return;
        }
        synchronized (lock) {
            if (offset >= 0 && offset < VirtioPciRegs.COMMON_SIZE) {
                commonWrite((int) offset, size, value);
            } else if (offset >= 0 && offset < REGION) {
                log.guest("common cfg write", String.format("offset 0x%x is past the structure", offset));
            } else if (offset >= isrOffset && offset < isrOffset + REGION) {
                log.guest("ISR write", "ISR status is read-only");
            } else if (deviceConfigSize > 0 && offset >= deviceOffset && offset < deviceOffset + deviceConfigSize) {
                byte[] bytes = new byte[size];
                for (int i = 0; i < size; i++) {
                    bytes[i] = (byte) (value >>> (8 * i));
                }
                device.writeConfig((int) (offset - deviceOffset), bytes);
            } else if (offset >= notifyOffset && offset < notifyOffset + (long) queueCount * NOTIFY_OFF_MULTIPLIER) {
                notifyQueue((int) ((offset - notifyOffset) / NOTIFY_OFF_MULTIPLIER));
            } else {
                outside(bar, offset, size, "write");
            }
        }
    }

    // ---- PciFunction: interrupts and reset ----

    @Override
    public void connect(InterruptLine next) {
        synchronized (irqLock) {
            if (line != null && intxLevel) {
                line.setIntx(false);
            }
            line = next;
            if (line != null && intxLevel) {
                line.setIntx(true);
            }
        }
    }

    @Override
    public void reset() {
        synchronized (lock) {
            virtioReset();
            initConfigSpace();
            synchronized (irqLock) {
                msix.reset();
            }
            interruptControlChanged();
        }
    }

    /** Resets the device and disconnects the interrupt line. */
    @Override
    public void close() {
        synchronized (lock) {
            virtioReset();
        }
        connect(null);
    }

    // ---- configuration space contents ----

    private void initConfigSpace() {
        ConfigSpace c = config;
        for (int i = 0; i < ConfigSpace.SIZE; i++) {
            c.set(i, 1, 0);
            c.setWritable(i, 1, 0);
        }
        c.set(PciRegs.VENDOR_ID, 2, VirtioPciRegs.VENDOR_ID);
        c.set(PciRegs.DEVICE_ID, 2, VirtioPciRegs.DEVICE_ID_BASE + device.deviceId());
        c.setWritable(PciRegs.COMMAND, 2,
                PciRegs.COMMAND_MEMORY | PciRegs.COMMAND_MASTER | PciRegs.COMMAND_INTX_DISABLE);
        c.set(PciRegs.STATUS, 2, PciRegs.STATUS_CAP_LIST);
        c.set(PciRegs.REVISION_ID, 1, VirtioPciRegs.REVISION);
        c.set(PciRegs.CLASS_PROG, 3, options.classCode());
        c.setWritable(PciRegs.CACHE_LINE_SIZE, 1, 0xff);
        // BAR sizing falls out of the mask: the bits below the size are read-only zero.
        c.setWritable(PciRegs.BAR0 + 4 * MSIX_BAR, 4, ~(msixBarSize - 1) & 0xffff_fff0L);
        c.set(PciRegs.BAR0 + 4 * VIRTIO_BAR, 4, PciRegs.BAR_MEM_TYPE_64 | PciRegs.BAR_MEM_PREFETCH);
        c.setWritable(PciRegs.BAR0 + 4 * VIRTIO_BAR, 4, ~(virtioBarSize - 1) & 0xffff_fff0L);
        c.setWritable(PciRegs.BAR0 + 4 * VIRTIO_BAR + 4, 4, ~((virtioBarSize - 1) >>> 32) & 0xffff_ffffL);
        c.set(PciRegs.SUBSYSTEM_VENDOR_ID, 2, options.subsystemVendorId());
        c.set(PciRegs.SUBSYSTEM_ID, 2, options.subsystemId());
        c.set(PciRegs.CAPABILITY_LIST, 1, CAP_START);
        c.setWritable(PciRegs.INTERRUPT_LINE, 1, 0xff);
        c.set(PciRegs.INTERRUPT_PIN, 1, 1);

        int capIsr = CAP_START + VirtioPciRegs.CAP_SIZE;
        virtioCap(CAP_START, capIsr, VirtioPciRegs.CAP_SIZE, VirtioPciRegs.PCI_CAP_COMMON_CFG, VIRTIO_BAR, 0, REGION);
        virtioCap(capIsr, capDevice > 0 ? capDevice : capNotify, VirtioPciRegs.CAP_SIZE,
                VirtioPciRegs.PCI_CAP_ISR_CFG, VIRTIO_BAR, isrOffset, REGION);
        if (capDevice > 0) {
            virtioCap(capDevice, capNotify, VirtioPciRegs.CAP_SIZE, VirtioPciRegs.PCI_CAP_DEVICE_CFG, VIRTIO_BAR,
                    deviceOffset, deviceConfigSize);
        }
        virtioCap(capNotify, capPciCfg, VirtioPciRegs.NOTIFY_CAP_SIZE, VirtioPciRegs.PCI_CAP_NOTIFY_CFG, VIRTIO_BAR,
                notifyOffset, (long) Math.max(queueCount, 1) * NOTIFY_OFF_MULTIPLIER);
        c.set(capNotify + VirtioPciRegs.NOTIFY_CAP_MULTIPLIER, 4, NOTIFY_OFF_MULTIPLIER);
        virtioCap(capPciCfg, capMsix, VirtioPciRegs.PCI_CFG_CAP_SIZE, VirtioPciRegs.PCI_CAP_PCI_CFG, 0, 0, 0);
        // The PCI_CFG window: the driver chooses bar, offset and length, then accesses the data.
        c.setWritable(capPciCfg + VirtioPciRegs.CAP_BAR, 1, 0xff);
        c.setWritable(capPciCfg + VirtioPciRegs.CAP_OFFSET, 4, 0xffff_ffffL);
        c.setWritable(capPciCfg + VirtioPciRegs.CAP_LENGTH, 4, 0xffff_ffffL);
        c.setWritable(capPciCfg + VirtioPciRegs.PCI_CFG_CAP_DATA, 4, 0xffff_ffffL);

        c.set(capMsix, 1, PciRegs.CAP_ID_MSIX);
        c.set(capMsix + 1, 1, 0);
        c.set(capMsix + PciRegs.MSIX_FLAGS, 2, msix.vectors() - 1);
        c.setWritable(capMsix + PciRegs.MSIX_FLAGS, 2, PciRegs.MSIX_FLAGS_ENABLE | PciRegs.MSIX_FLAGS_MASKALL);
        c.set(capMsix + PciRegs.MSIX_TABLE, 4, MSIX_BAR);
        c.set(capMsix + PciRegs.MSIX_PBA, 4, pbaOffset | MSIX_BAR);
    }

    private void virtioCap(int at, int next, int length, int cfgType, int bar, long offset, long regionLength) {
        config.set(at, 1, PciRegs.CAP_ID_VENDOR);
        config.set(at + 1, 1, next);
        config.set(at + VirtioPciRegs.CAP_LEN, 1, length);
        config.set(at + VirtioPciRegs.CAP_CFG_TYPE, 1, cfgType);
        config.set(at + VirtioPciRegs.CAP_BAR, 1, bar);
        config.set(at + VirtioPciRegs.CAP_OFFSET, 4, offset);
        config.set(at + VirtioPciRegs.CAP_LENGTH, 4, regionLength);
    }

    /** virtio 1.2 §4.1.4.9: an access through pci_cfg_data goes to cap.bar at cap.offset, cap.length bytes. */
    private void pciCfgAccess(boolean write) {
        int bar = config.read(capPciCfg + VirtioPciRegs.CAP_BAR, 1);
        long offset = config.read(capPciCfg + VirtioPciRegs.CAP_OFFSET, 4) & 0xffff_ffffL;
        int length = config.read(capPciCfg + VirtioPciRegs.CAP_LENGTH, 4);
        if ((length != 1 && length != 2 && length != 4) || offset % length != 0) {
            log.guest("PCI_CFG window", String.format("bar %d offset 0x%x length %d: length must be 1, 2 or 4"
                    + " and the offset aligned to it", bar, offset, length));
            return;
        }
        int data = capPciCfg + VirtioPciRegs.PCI_CFG_CAP_DATA;
        if (write) {
            barWrite(bar, offset, length, config.read(data, length) & 0xffff_ffffL);
        } else {
            config.set(data, length, barRead(bar, offset, length));
        }
    }

    // ---- common configuration ----

    private long commonRead(int offset, int size) {
        long value = 0;
        for (int i = 0; i < size; i++) {
            int at = offset + i;
            int[] field = commonField(at);
            if (field != null) {
                long fieldValue = commonValue(field[0]);
                value |= ((fieldValue >>> (8 * (at - field[0]))) & 0xff) << (8 * i);
            }
        }
        return value;
    }

    /** Merges the written bytes into each field they touch, then writes each field whole. */
    private void commonWrite(int offset, int size, long value) {
        for (int[] field : COMMON_FIELDS) {
            int start = field[0];
            int fieldSize = field[1];
            if (!ConfigSpace.overlaps(offset, size, start, fieldSize)) {
                continue;
            }
            long merged = commonValue(start);
            for (int i = 0; i < size; i++) {
                int at = offset + i - start;
                if (at >= 0 && at < fieldSize) {
                    long b = (value >>> (8 * i)) & 0xff;
                    merged = (merged & ~(0xffL << (8 * at))) | (b << (8 * at));
                }
            }
            commonStore(start, merged);
        }
    }

    private static int[] commonField(int offset) {
        for (int[] field : COMMON_FIELDS) {
            if (offset >= field[0] && offset < field[0] + field[1]) {
                return field;
            }
        }
        return null;
    }

    private QueueConfig selected() {
        return queueSelect < queueCount ? queues[queueSelect] : null;
    }

    private long commonValue(int field) {
        QueueConfig q = selected();
        switch (field) {
            case VirtioPciRegs.COMMON_DFSELECT:
                return deviceFeatureSelect & 0xffff_ffffL;
            case VirtioPciRegs.COMMON_DF:
                return featureWindow(offeredFeatures(), deviceFeatureSelect);
            case VirtioPciRegs.COMMON_GFSELECT:
                return driverFeatureSelect & 0xffff_ffffL;
            case VirtioPciRegs.COMMON_GF:
                return featureWindow(driverFeatures, driverFeatureSelect);
            case VirtioPciRegs.COMMON_MSIX:
                synchronized (irqLock) {
                    return configVector;
                }
            case VirtioPciRegs.COMMON_NUMQ:
                return queueCount;
            case VirtioPciRegs.COMMON_STATUS:
                return status;
            case VirtioPciRegs.COMMON_CFGGENERATION:
                synchronized (irqLock) {
                    return generation & 0xff;
                }
            case VirtioPciRegs.COMMON_Q_SELECT:
                return queueSelect;
            case VirtioPciRegs.COMMON_Q_SIZE:
                return q == null ? 0 : q.size;
            case VirtioPciRegs.COMMON_Q_MSIX:
                synchronized (irqLock) {
                    return q == null ? NO_VECTOR : queueVector[queueSelect];
                }
            case VirtioPciRegs.COMMON_Q_ENABLE:
                return q != null && q.enabled ? 1 : 0;
            case VirtioPciRegs.COMMON_Q_NOFF:
                return q == null ? 0 : queueSelect;
            case VirtioPciRegs.COMMON_Q_DESCLO:
                return q == null ? 0 : q.desc;
            case VirtioPciRegs.COMMON_Q_AVAILLO:
                return q == null ? 0 : q.driver;
            case VirtioPciRegs.COMMON_Q_USEDLO:
                return q == null ? 0 : q.device;
            default:
                // queue_notify_data and queue_reset: their features are not offered.
                return 0;
        }
    }

    private void commonStore(int field, long value) {
        switch (field) {
            case VirtioPciRegs.COMMON_DFSELECT -> deviceFeatureSelect = (int) value;
            case VirtioPciRegs.COMMON_GFSELECT -> driverFeatureSelect = (int) value;
            case VirtioPciRegs.COMMON_GF -> writeDriverFeatures(value & 0xffff_ffffL);
            case VirtioPciRegs.COMMON_MSIX -> {
                int vector = mapVector("config_msix_vector", (int) value);
                synchronized (irqLock) {
                    configVector = vector;
                }
            }
            case VirtioPciRegs.COMMON_STATUS -> writeStatus((int) value & 0xff);
            case VirtioPciRegs.COMMON_Q_SELECT -> queueSelect = (int) value;
            case VirtioPciRegs.COMMON_Q_MSIX -> {
                if (selected() == null) {
                    log.guest("queue_msix_vector", "queue_select " + queueSelect + " names no queue");
                    return;
                }
                int vector = mapVector("queue_msix_vector", (int) value);
                synchronized (irqLock) {
                    queueVector[queueSelect] = vector;
                }
            }
            case VirtioPciRegs.COMMON_Q_SIZE, VirtioPciRegs.COMMON_Q_ENABLE, VirtioPciRegs.COMMON_Q_DESCLO,
                    VirtioPciRegs.COMMON_Q_AVAILLO, VirtioPciRegs.COMMON_Q_USEDLO -> writeQueueField(field, value);
            case VirtioPciRegs.COMMON_Q_RESET -> {
                if (value != 0) {
                    log.guest("queue_reset", "VIRTIO_F_RING_RESET is not offered");
                }
            }
            default -> log.guest("common cfg read-only", String.format(
                    "write of 0x%x to the read-only field at 0x%x", value, field));
        }
    }

    private static long featureWindow(long features, int select) {
        return switch (select) {
            case 0 -> features & 0xffff_ffffL;
            case 1 -> features >>> 32;
            default -> 0;
        };
    }

    private long offeredFeatures() {
        return (device.deviceFeatures() & ~UNSUPPORTED) | VirtioFeatures.bit(VirtioFeatures.VIRTIO_F_VERSION_1);
    }

    private void writeDriverFeatures(long word) {
        if ((status & DeviceStatus.FEATURES_OK) != 0) {
            log.guest("driver_feature", "written after FEATURES_OK; ignored");
            return;
        }
        switch (driverFeatureSelect) {
            case 0 -> driverFeatures = (driverFeatures & 0xffff_ffff_0000_0000L) | word;
            case 1 -> driverFeatures = (driverFeatures & 0xffff_ffffL) | word << 32;
            default -> {
                if (word != 0) {
                    log.guest("driver_feature", String.format("bits 0x%x in window %d, where no feature exists",
                            word, driverFeatureSelect));
                }
            }
        }
    }

    /** A vector the table does not have cannot be mapped: the field reads back NO_VECTOR (§4.1.5.1.2). */
    private int mapVector(String field, int vector) {
        int v = vector & 0xffff;
        if (v != NO_VECTOR && v >= msix.vectors()) {
            log.guest(field, "vector " + v + " is beyond the MSI-X table of " + msix.vectors());
            return NO_VECTOR;
        }
        return v;
    }

    private void writeQueueField(int field, long value) {
        QueueConfig q = selected();
        if (q == null) {
            log.guest("queue_select", "queue_select " + queueSelect + " names no queue; the write is ignored");
            return;
        }
        if (q.enabled) {
            log.guest("queue config", String.format("queue %d: field at 0x%x written while the queue is enabled",
                    queueSelect, field));
            return;
        }
        switch (field) {
            case VirtioPciRegs.COMMON_Q_SIZE -> q.size = (int) value & 0xffff;
            case VirtioPciRegs.COMMON_Q_DESCLO -> q.desc = value;
            case VirtioPciRegs.COMMON_Q_AVAILLO -> q.driver = value;
            case VirtioPciRegs.COMMON_Q_USEDLO -> q.device = value;
            default -> {
                if ((value & 0xffff) == 1) {
                    q.enabled = true;
                } else {
                    log.guest("queue_enable", "queue " + queueSelect + ": only 1 may be written");
                }
            }
        }
    }

    // ---- device status (§2.1, §3.1.1) ----

    private void writeStatus(int value) {
        if (value == 0) {
            virtioReset();
            return;
        }
        int cleared = status & DRIVER_STATUS_BITS & ~value;
        if (cleared != 0) {
            log.guest("device_status", String.format("bits 0x%x cleared without a reset (0x%x -> 0x%x); ignored",
                    cleared, status, value));
            return;
        }
        int added = value & DRIVER_STATUS_BITS & ~status;
        status |= added & ~(DeviceStatus.FEATURES_OK | DeviceStatus.DRIVER_OK);
        if ((added & DeviceStatus.FEATURES_OK) != 0 && featuresAcceptable()) {
            status |= DeviceStatus.FEATURES_OK;
        }
        if ((added & DeviceStatus.DRIVER_OK) != 0) {
            status |= DeviceStatus.DRIVER_OK;
            activate();
        }
    }

    /** §3.1.1 step 5: the device refuses FEATURES_OK for a feature set it did not offer. */
    private boolean featuresAcceptable() {
        long offered = offeredFeatures();
        long extra = driverFeatures & ~offered;
        if (extra != 0) {
            log.guest("FEATURES_OK", String.format("driver features 0x%x include 0x%x, which the device did not"
                    + " offer (0x%x); FEATURES_OK stays clear", driverFeatures, extra, offered));
            return false;
        }
        if (!VirtioFeatures.has(driverFeatures, VirtioFeatures.VIRTIO_F_VERSION_1)) {
            log.guest("FEATURES_OK", String.format("driver features 0x%x lack VIRTIO_F_VERSION_1, which a modern"
                    + " device requires; FEATURES_OK stays clear", driverFeatures));
            return false;
        }
        return true;
    }

    private void activate() {
        if ((status & DeviceStatus.FEATURES_OK) == 0) {
            needsReset("DRIVER_OK", "DRIVER_OK set without FEATURES_OK");
            return;
        }
        if ((status & DeviceStatus.DEVICE_NEEDS_RESET) != 0) {
            return;
        }
        boolean eventIdx = VirtioFeatures.has(driverFeatures, VirtioFeatures.VIRTIO_RING_F_EVENT_IDX);
        List<Virtqueue> built = new ArrayList<>();
        int firstDisabled = -1;
        for (int i = 0; i < queueCount; i++) {
            QueueConfig q = queues[i];
            if (!q.enabled) {
                firstDisabled = firstDisabled < 0 ? i : firstDisabled;
                continue;
            }
            if (firstDisabled >= 0) {
                needsReset("queue_enable", "queue " + i + " is enabled but queue " + firstDisabled
                        + " is not; the device takes its queues in index order");
                return;
            }
            int max = device.maxQueueSize(i);
            if (q.size > max) {
                needsReset("queue_size", String.format("virtqueue %d: size=%d is above the device's maximum %d",
                        i, q.size, max));
                return;
            }
            try {
                built.add(new Virtqueue(i, memory, q.size, q.desc, q.driver, q.device, eventIdx));
            } catch (InvalidQueueException e) {
                needsReset("queue " + e.field(), e.getMessage());
                return;
            }
        }
        int activation;
        synchronized (irqLock) {
            activation = epoch;
        }
        try {
            device.activate(driverFeatures, memory, List.copyOf(built), new TransportInterrupts(activation));
            active = true;
        } catch (RuntimeException e) {
            LOG.error("virtio device {} failed to activate", device.deviceId(), e);
            needsReset("activate", "the device failed to activate: " + e);
        }
    }

    /** §2.1.2: DEVICE_NEEDS_RESET, and a configuration change notification once DRIVER_OK was set. */
    private void needsReset(String cause, String detail) {
        log.guest(cause, detail + "; DEVICE_NEEDS_RESET set");
        status |= DeviceStatus.DEVICE_NEEDS_RESET;
        if ((status & DeviceStatus.DRIVER_OK) != 0) {
            MsiMessage message;
            InterruptLine target;
            synchronized (irqLock) {
                message = raise(VirtioPciRegs.ISR_CONFIG, configVector);
                target = line;
            }
            send(target, message);
        }
    }

    /** §4.1.4.3.2: writing 0 to device_status resets the device; the reset is complete when the write returns. */
    private void virtioReset() {
        synchronized (irqLock) {
            epoch++;
        }
        try {
            device.reset();
        } catch (RuntimeException e) {
            LOG.error("virtio device {} failed to reset", device.deviceId(), e);
        }
        active = false;
        status = 0;
        deviceFeatureSelect = 0;
        driverFeatureSelect = 0;
        driverFeatures = 0;
        queueSelect = 0;
        resetQueues();
        synchronized (irqLock) {
            isr = 0;
            configVector = NO_VECTOR;
            Arrays.fill(queueVector, NO_VECTOR);
            // Interrupts of the reset device are stale; the driver sets everything up again.
            msix.clearPending();
            updateIntx();
        }
    }

    private void resetQueues() {
        for (int i = 0; i < queueCount; i++) {
            QueueConfig q = queues[i];
            q.size = Math.min(device.maxQueueSize(i), Virtqueue.MAX_SIZE);
            q.enabled = false;
            q.desc = 0;
            q.driver = 0;
            q.device = 0;
        }
    }

    private void notifyQueue(int queue) {
        if (!active) {
            log.guest("notify", "queue " + queue + " notified before DRIVER_OK");
            return;
        }
        device.queueNotify(queue);
    }

    // ---- interrupts ----

    private long readIsr() {
        synchronized (irqLock) {
            int value = isr;
            isr = 0;
            updateIntx();
            return value;
        }
    }

    /** Called with lock held after a write to the command register or MSI-X message control. */
    private List<MsiMessage> interruptControlChanged() {
        int command = config.read(PciRegs.COMMAND, 2);
        int control = config.read(capMsix + PciRegs.MSIX_FLAGS, 2);
        synchronized (irqLock) {
            intxDisabled = (command & PciRegs.COMMAND_INTX_DISABLE) != 0;
            List<MsiMessage> released = msix.setControl((control & PciRegs.MSIX_FLAGS_ENABLE) != 0,
                    (control & PciRegs.MSIX_FLAGS_MASKALL) != 0, (command & PciRegs.COMMAND_MASTER) != 0);
            updateIntx();
            return released;
        }
    }

    /**
     * Sets the ISR bit and picks the delivery, with irqLock held. With MSI-X the queue bit
     * is not used (§4.1.5.3); the configuration bit is set either way.
     */
    private MsiMessage raise(int isrBit, int vector) {
        if (msix.enabled()) {
            if (isrBit == VirtioPciRegs.ISR_CONFIG) {
                isr |= isrBit;
            }
            return vector == NO_VECTOR ? null : msix.fire(vector);
        }
        isr |= isrBit;
        updateIntx();
        return null;
    }

    private void updateIntx() {
        boolean level = isr != 0 && !msix.enabled() && !intxDisabled;
        if (level != intxLevel) {
            intxLevel = level;
            if (line != null) {
                line.setIntx(level);
            }
        }
    }

    private void send(List<MsiMessage> messages) {
        if (messages.isEmpty()) {
            return;
        }
        InterruptLine target;
        synchronized (irqLock) {
            target = line;
        }
        for (MsiMessage m : messages) {
            send(target, m);
        }
    }

    private static void send(InterruptLine target, MsiMessage message) {
        if (target != null && message != null) {
            target.sendMsi(message);
        }
    }

    /** The device's way to the driver for one activation; after a reset it goes nowhere. */
    private final class TransportInterrupts implements Interrupts {
        private final int activation;

        TransportInterrupts(int activation) {
            this.activation = activation;
        }

        @Override
        public void signalQueue(int queueIndex) {
            MsiMessage message;
            InterruptLine target;
            synchronized (irqLock) {
                if (activation != epoch || queueIndex < 0 || queueIndex >= queueCount) {
                    return;
                }
                message = raise(VirtioPciRegs.ISR_QUEUE, queueVector[queueIndex]);
                target = line;
            }
            send(target, message);
        }

        @Override
        public void signalConfigChange() {
            MsiMessage message;
            InterruptLine target;
            synchronized (irqLock) {
                if (activation != epoch) {
                    return;
                }
                generation++;
                message = raise(VirtioPciRegs.ISR_CONFIG, configVector);
                target = line;
            }
            send(target, message);
        }
    }

    // ---- helpers ----

    private long outside(int bar, long offset, int size, String access) {
        log.guest("BAR " + access, String.format("%d bytes at 0x%x of BAR %d, where nothing is decoded", size,
                offset, bar));
        return 0;
    }

    private static void checkConfigSize(int size) {
        if (size != 1 && size != 2 && size != 4) {
            throw new IllegalArgumentException("configuration access of " + size + " bytes (1, 2 or 4)");
        }
    }

    private static void checkBarSize(int size) {
        if (size != 1 && size != 2 && size != 4 && size != 8) {
            throw new IllegalArgumentException("BAR access of " + size + " bytes (1, 2, 4 or 8)");
        }
    }

    private static long roundUp(long value, long unit) {
        return Math.addExact(value, unit - 1) / unit * unit;
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return String.format("VirtioPciFunction[%04x:%04x, status 0x%x, %s]", VirtioPciRegs.VENDOR_ID,
                    VirtioPciRegs.DEVICE_ID_BASE + device.deviceId(), status, active ? "active" : "inactive");
        }
    }
}
