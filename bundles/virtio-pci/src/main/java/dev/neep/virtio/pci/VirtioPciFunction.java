package dev.neep.virtio.pci;

import dev.neep.virtio.GuestMemory;
import dev.neep.virtio.Interrupts;
import dev.neep.virtio.OnceLog;
import dev.neep.virtio.VirtioDevice;
import dev.neep.virtio.VirtioFeatures;
import dev.neep.virtio.VirtioTransportCore;
import dev.neep.virtio.pci.internal.CommonConfig;
import dev.neep.virtio.pci.internal.ConfigSpace;
import dev.neep.virtio.pci.internal.PciInterrupts;
import dev.neep.virtio.pci.internal.SharedMemoryLayout;
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
 * <li>BAR {@value #SHARED_MEMORY_BAR} (and 3), when the device asks for shared memory regions
 * ({@link dev.neep.virtio.SharedMemoryDevice}) and the VMM gives a {@link SharedMemoryBar}:
 * 64-bit prefetchable memory holding the regions one after the other, page aligned, as QEMU's
 * virtio-gpu-pci holds its {@code hostmem} region; one SHARED_MEMORY_CFG capability
 * ({@code struct virtio_pci_cap64}) each, its {@code id} the region's shmid.</li>
 * <li>Capabilities: COMMON, ISR, DEVICE, NOTIFY, SHARED_MEMORY_CFG, PCI_CFG (the window for
 * drivers that cannot map BARs) and MSI-X.</li>
 * </ul>
 *
 * <p>Device status, feature negotiation, queue activation and reset are the
 * {@link VirtioTransportCore}'s, which the common configuration ({@link CommonConfig}) writes
 * into: FEATURES_OK is refused when the driver accepted a feature the device did not offer or
 * lacks VERSION_1; a queue configuration refused at DRIVER_OK sets DEVICE_NEEDS_RESET, and the
 * driver hears of it by a configuration change interrupt. Driver mistakes are logged once per
 * cause.
 *
 * <p>Threading: any number of threads may access the function. Driver-side accesses are
 * serialized by one lock; the device's interrupts take only a second, inner lock
 * ({@link PciInterrupts}), so a device whose {@link VirtioDevice#reset} waits for its own
 * thread cannot deadlock with it.
 */
public final class VirtioPciFunction implements PciFunction, AutoCloseable {
    public static final int MSIX_BAR = 1;
    public static final int VIRTIO_BAR = 4;
    public static final int SHARED_MEMORY_BAR = 2;
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

    private final VirtioDevice device;
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
    private final int capShm;
    /** The shared memory regions and the VMM's BAR behind them; null without. */
    private final SharedMemoryLayout shm;
    private final int capPciCfg;
    private final int capMsix;

    // Driver-side state, guarded by lock; the interrupts' own lock is taken after it, never before.
    private final Object lock = new Object();
    private final ConfigSpace config = new ConfigSpace();
    private final VirtioTransportCore core;
    private final CommonConfig common;
    private final PciInterrupts interrupts;

    public VirtioPciFunction(VirtioDevice device, GuestMemory memory) {
        this(device, memory, Options.forDevice(device.deviceId()));
    }

    public VirtioPciFunction(VirtioDevice device, GuestMemory memory, Options options) {
        this(device, memory, options, null);
    }

    /**
     * A function whose device may map into shared memory regions through {@code sharedMemory}
     * (null: none): the regions are what the device asks of a VMM that maps what
     * {@code sharedMemory} can carry, laid out once, here.
     */
    public VirtioPciFunction(VirtioDevice device, GuestMemory memory, Options options,
            SharedMemoryBar sharedMemory) {
        this.device = Objects.requireNonNull(device, "device");
        Objects.requireNonNull(memory, "memory");
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

        interrupts = new PciInterrupts(queueCount, log);
        pbaOffset = roundUp(interrupts.tableBytes(), 8);
        long msixEnd = Math.max(REGION, pbaOffset + interrupts.pbaBytes());
        msixBarSize = Long.bitCount(msixEnd) == 1 ? msixEnd : Long.highestOneBit(msixEnd) << 1;

        int at = CAP_START + 2 * VirtioPciRegs.CAP_SIZE;
        capDevice = deviceConfigSize > 0 ? at : -1;
        at += deviceConfigSize > 0 ? VirtioPciRegs.CAP_SIZE : 0;
        capNotify = at;
        shm = SharedMemoryLayout.of(device, sharedMemory, log);
        capShm = capNotify + VirtioPciRegs.NOTIFY_CAP_SIZE;
        capPciCfg = capShm + (shm == null ? 0 : shm.regions().size() * VirtioPciRegs.CAP64_SIZE);
        capMsix = capPciCfg + VirtioPciRegs.PCI_CFG_CAP_SIZE;

        core = new VirtioTransportCore(device, memory, ~UNSUPPORTED,
                VirtioFeatures.bit(VirtioFeatures.VIRTIO_F_VERSION_1), new CoreSide(), log);
        if (shm != null) {
            core.setSharedMemory(List.copyOf(shm.regions()));
        }
        common = new CommonConfig(core, interrupts, log);
        synchronized (lock) {
            initConfigSpace();
        }
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
            return core.status();
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
                boolean pending = interrupts.pending();
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
                released = interrupts.controlChanged(config.read(PciRegs.COMMAND, 2),
                        config.read(capMsix + PciRegs.MSIX_FLAGS, 2));
            }
            if (ConfigSpace.overlaps(offset, size, capPciCfg + VirtioPciRegs.PCI_CFG_CAP_DATA, 4)) {
                pciCfgAccess(true);
            }
        }
        interrupts.send(released);
    }

    @Override
    public List<PciBar> bars() {
        PciBar msix = new PciBar(MSIX_BAR, msixBarSize, false, false);
        PciBar virtio = new PciBar(VIRTIO_BAR, virtioBarSize, true, true);
        return shm == null ? List.of(msix, virtio)
                : List.of(msix, new PciBar(SHARED_MEMORY_BAR, shm.barSize(), true, true), virtio);
    }

    @Override
    public long barAddress(int index) {
        synchronized (lock) {
            if (index == MSIX_BAR) {
                return config.read(PciRegs.BAR0 + 4 * MSIX_BAR, 4) & 0xffff_fff0L;
            }
            if (index == VIRTIO_BAR || (index == SHARED_MEMORY_BAR && shm != null)) {
                long low = config.read(PciRegs.BAR0 + 4 * index, 4) & 0xffff_fff0L;
                long high = config.read(PciRegs.BAR0 + 4 * index + 4, 4) & 0xffff_ffffL;
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
            if (offset >= 0 && offset < interrupts.tableBytes()) {
                return interrupts.readTable(offset, size);
            }
            if (offset >= pbaOffset && offset < pbaOffset + interrupts.pbaBytes()) {
                return interrupts.readPba(offset - pbaOffset, size);
            }
            return outside(bar, offset, size, "read");
        }
        if (bar == SHARED_MEMORY_BAR && shm != null && offset >= 0 && offset <= shm.barSize() - size) {
            return shm.bar().read(offset, size);
        }
        if (bar != VIRTIO_BAR) {
            return outside(bar, offset, size, "read");
        }
        synchronized (lock) {
            if (offset >= 0 && offset < REGION) {
                return common.read((int) offset, size);
            }
            if (offset == isrOffset) {
                return interrupts.readIsr();
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
            if (offset >= 0 && offset < interrupts.tableBytes()) {
                interrupts.writeTable(offset, size, value);
            } else if (offset >= pbaOffset && offset < pbaOffset + interrupts.pbaBytes()) {
                log.guest("PBA write", "the pending bit array is read-only");
            } else {
                outside(bar, offset, size, "write");
            }
            return;
        }
        if (bar == SHARED_MEMORY_BAR && shm != null && offset >= 0 && offset <= shm.barSize() - size) {
            shm.bar().write(offset, size, value);
            return;
        }
        if (bar != VIRTIO_BAR) {
            outside(bar, offset, size, "write");
            return;
        }
        synchronized (lock) {
            if (offset >= 0 && offset < VirtioPciRegs.COMMON_SIZE) {
                common.write((int) offset, size, value);
                if (core.status() == 0 && shm != null) {
                    shm.afterReset();
                }
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
                core.queueNotify((int) ((offset - notifyOffset) / NOTIFY_OFF_MULTIPLIER));
            } else {
                outside(bar, offset, size, "write");
            }
        }
    }

    // ---- PciFunction: interrupts and reset ----

    @Override
    public void connect(InterruptLine next) {
        interrupts.connect(next);
    }

    /** A function-level reset: the device reset, the configuration space and MSI-X as at power-on. */
    @Override
    public void reset() {
        synchronized (lock) {
            core.reset();
            if (shm != null) {
                shm.afterReset();
            }
            initConfigSpace();
            interrupts.resetControl(config.read(PciRegs.COMMAND, 2), config.read(capMsix + PciRegs.MSIX_FLAGS, 2));
        }
    }

    /** Resets the device and disconnects the interrupt line. */
    @Override
    public void close() {
        synchronized (lock) {
            core.reset();
            if (shm != null) {
                shm.afterReset();
            }
        }
        connect(null);
    }

    /** What the core asks of this transport; called with {@code lock} held. */
    private final class CoreSide implements VirtioTransportCore.Transport {
        @Override
        public Interrupts interrupts() {
            return interrupts.activation();
        }

        @Override
        public void resetting() {
            common.reset();
            interrupts.deviceResetting();
        }

        @Override
        public void needsReset(String reason) {
            interrupts.signalNeedsReset();
        }
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
        if (shm != null) {
            long size = shm.barSize();
            c.set(PciRegs.BAR0 + 4 * SHARED_MEMORY_BAR, 4, PciRegs.BAR_MEM_TYPE_64 | PciRegs.BAR_MEM_PREFETCH);
            c.setWritable(PciRegs.BAR0 + 4 * SHARED_MEMORY_BAR, 4, ~(size - 1) & 0xffff_fff0L);
            c.setWritable(PciRegs.BAR0 + 4 * SHARED_MEMORY_BAR + 4, 4, ~((size - 1) >>> 32) & 0xffff_ffffL);
        }
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
        virtioCap(capNotify, capShm, VirtioPciRegs.NOTIFY_CAP_SIZE, VirtioPciRegs.PCI_CAP_NOTIFY_CFG, VIRTIO_BAR,
                notifyOffset, (long) Math.max(queueCount, 1) * NOTIFY_OFF_MULTIPLIER);
        int at = capShm;
        for (SharedMemoryLayout.Region r : shm == null ? List.<SharedMemoryLayout.Region>of() : shm.regions()) {
            int next = at + VirtioPciRegs.CAP64_SIZE;
            virtioCap(at, next, VirtioPciRegs.CAP64_SIZE, VirtioPciRegs.PCI_CAP_SHARED_MEMORY_CFG, SHARED_MEMORY_BAR,
                    r.barOffset() & 0xffff_ffffL, r.length() & 0xffff_ffffL);
            c.set(at + VirtioPciRegs.CAP_ID, 1, r.shmid());
            c.set(at + VirtioPciRegs.CAP64_OFFSET_HI, 4, r.barOffset() >>> 32);
            c.set(at + VirtioPciRegs.CAP64_LENGTH_HI, 4, r.length() >>> 32);
            at = next;
        }
        c.set(capNotify + VirtioPciRegs.NOTIFY_CAP_MULTIPLIER, 4, NOTIFY_OFF_MULTIPLIER);
        virtioCap(capPciCfg, capMsix, VirtioPciRegs.PCI_CFG_CAP_SIZE, VirtioPciRegs.PCI_CAP_PCI_CFG, 0, 0, 0);
        // The PCI_CFG window: the driver chooses bar, offset and length, then accesses the data.
        c.setWritable(capPciCfg + VirtioPciRegs.CAP_BAR, 1, 0xff);
        c.setWritable(capPciCfg + VirtioPciRegs.CAP_OFFSET, 4, 0xffff_ffffL);
        c.setWritable(capPciCfg + VirtioPciRegs.CAP_LENGTH, 4, 0xffff_ffffL);
        c.setWritable(capPciCfg + VirtioPciRegs.PCI_CFG_CAP_DATA, 4, 0xffff_ffffL);

        c.set(capMsix, 1, PciRegs.CAP_ID_MSIX);
        c.set(capMsix + 1, 1, 0);
        c.set(capMsix + PciRegs.MSIX_FLAGS, 2, interrupts.vectors() - 1);
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
                    VirtioPciRegs.DEVICE_ID_BASE + device.deviceId(), core.status(), core.active() ? "active" : "inactive");
        }
    }
}
