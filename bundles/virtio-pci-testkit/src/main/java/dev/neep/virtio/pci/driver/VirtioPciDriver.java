package dev.neep.virtio.pci.driver;

import static dev.neep.virtio.pci.VirtioPciRegs.NO_VECTOR;

import dev.neep.virtio.DeviceStatus;
import dev.neep.virtio.GuestMemory;
import dev.neep.virtio.Interrupts;
import dev.neep.virtio.VirtioDevice;
import dev.neep.virtio.Virtqueue;
import dev.neep.virtio.pci.InterruptLine;
import dev.neep.virtio.pci.MsiMessage;
import dev.neep.virtio.pci.PciFunction;
import dev.neep.virtio.pci.PciRegs;
import dev.neep.virtio.pci.VirtioPciRegs;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The guest side of a modern virtio-pci function, doing what Linux's
 * {@code virtio_pci_modern} probe does: walk the capability list and pick the virtio
 * structures, size the BARs by writing all-ones, place them from an MMIO window and enable
 * memory decoding and bus mastering, enable MSI-X with one vector for configuration
 * changes (0) and one per queue (1 + index), reset, negotiate, set up queues through the
 * common configuration, DRIVER_OK, and kick through the notify area.
 *
 * <p>MMIO goes through the addresses the driver assigned, decoded back to a BAR the way a
 * bus does ({@link #mmioRead}/{@link #mmioWrite}). MSI-X messages arrive at
 * {@link #line()}, which {@link #probe} connects to the function; each vector is counted,
 * and with {@link #asVirtioDevice()} forwarded to the {@link Interrupts} of the activation.
 *
 * <p>For tests: accessors expose the raw common configuration so a test can break the
 * rules a real driver keeps.
 */
public final class VirtioPciDriver {
    /** The MSI address the driver programs; the data is the vector number. */
    public static final long MSI_ADDRESS = 0xfee0_0000L;

    /** One virtio vendor capability as found in configuration space. */
    public record VirtioCap(int position, int cfgType, int bar, long offset, long length, int notifyOffMultiplier) {
    }

    /** One shared memory region as its SHARED_MEMORY_CFG capability ({@code struct virtio_pci_cap64}) names it. */
    public record SharedMemoryCap(int shmid, int bar, long offset, long length) {
    }

    private final PciFunction function;
    private final Map<Integer, VirtioCap> caps = new LinkedHashMap<>();
    private final Map<Integer, SharedMemoryCap> sharedMemory = new LinkedHashMap<>();
    private final long[] barBase = new long[6];
    private final long[] barSize = new long[6];
    private final List<AtomicInteger> vectorCounts = new ArrayList<>();
    private final AtomicInteger intxAssertions = new AtomicInteger();
    private final AtomicInteger rejectedMessages = new AtomicInteger();
    private final InterruptLine line = new Line();
    private int msixCap = -1;
    private int msixVectors;
    private volatile Interrupts forward;
    private volatile boolean intx;

    private VirtioPciDriver(PciFunction function) {
        this.function = function;
    }

    /**
     * Probes {@code function}: checks the ids, walks the capabilities, sizes and places
     * the BARs from {@code mmioBase} upwards (each aligned to its size), enables memory,
     * bus mastering and MSI-X (every vector unmasked), and connects the interrupt line.
     */
    public static VirtioPciDriver probe(PciFunction function, long mmioBase) {
        VirtioPciDriver d = new VirtioPciDriver(function);
        int vendor = function.configRead(PciRegs.VENDOR_ID, 2);
        int device = function.configRead(PciRegs.DEVICE_ID, 2);
        if (vendor != VirtioPciRegs.VENDOR_ID || device < VirtioPciRegs.DEVICE_ID_BASE) {
            throw new IllegalStateException(String.format("%04x:%04x is not a modern virtio-pci function", vendor,
                    device));
        }
        d.walkCapabilities();
        d.placeBars(mmioBase);
        function.connect(d.line);
        d.enableMsix();
        function.configWrite(PciRegs.COMMAND, 2,
                function.configRead(PciRegs.COMMAND, 2) | PciRegs.COMMAND_MEMORY | PciRegs.COMMAND_MASTER);
        return d;
    }

    private void walkCapabilities() {
        if ((function.configRead(PciRegs.STATUS, 2) & PciRegs.STATUS_CAP_LIST) == 0) {
            throw new IllegalStateException("no capability list");
        }
        int at = function.configRead(PciRegs.CAPABILITY_LIST, 1) & 0xfc;
        int seen = 0;
        while (at != 0) {
            if (++seen > 48) {
                throw new IllegalStateException("capability list loops");
            }
            int id = function.configRead(at, 1);
            if (id == PciRegs.CAP_ID_VENDOR) {
                int type = function.configRead(at + VirtioPciRegs.CAP_CFG_TYPE, 1);
                int bar = function.configRead(at + VirtioPciRegs.CAP_BAR, 1);
                long offset = function.configRead(at + VirtioPciRegs.CAP_OFFSET, 4) & 0xffff_ffffL;
                long length = function.configRead(at + VirtioPciRegs.CAP_LENGTH, 4) & 0xffff_ffffL;
                int multiplier = type == VirtioPciRegs.PCI_CAP_NOTIFY_CFG
                        ? function.configRead(at + VirtioPciRegs.NOTIFY_CAP_MULTIPLIER, 4) : 0;
                // Linux takes the first capability of each type.
                caps.putIfAbsent(type, new VirtioCap(at, type, bar, offset, length, multiplier));
                if (type == VirtioPciRegs.PCI_CAP_SHARED_MEMORY_CFG) {
                    long offsetHi = function.configRead(at + VirtioPciRegs.CAP64_OFFSET_HI, 4) & 0xffff_ffffL;
                    long lengthHi = function.configRead(at + VirtioPciRegs.CAP64_LENGTH_HI, 4) & 0xffff_ffffL;
                    int shmid = function.configRead(at + VirtioPciRegs.CAP_ID, 1);
                    sharedMemory.putIfAbsent(shmid, new SharedMemoryCap(shmid, bar, offsetHi << 32 | offset,
                            lengthHi << 32 | length));
                }
            } else if (id == PciRegs.CAP_ID_MSIX) {
                msixCap = at;
            }
            at = function.configRead(at + 1, 1) & 0xfc;
        }
        for (int type : new int[] {VirtioPciRegs.PCI_CAP_COMMON_CFG, VirtioPciRegs.PCI_CAP_ISR_CFG,
            VirtioPciRegs.PCI_CAP_NOTIFY_CFG}) {
            if (!caps.containsKey(type)) {
                throw new IllegalStateException("virtio capability type " + type + " missing");
            }
        }
    }

    private void placeBars(long mmioBase) {
        long next = mmioBase;
        for (int bar = 0; bar < 6; bar++) {
            int reg = PciRegs.BAR0 + 4 * bar;
            int original = function.configRead(reg, 4);
            function.configWrite(reg, 4, 0xffff_ffff);
            long mask = function.configRead(reg, 4) & 0xffff_ffffL;
            boolean is64 = (original & 0x6) == PciRegs.BAR_MEM_TYPE_64;
            if (is64) {
                function.configWrite(reg + 4, 4, 0xffff_ffff);
                mask |= (function.configRead(reg + 4, 4) & 0xffff_ffffL) << 32;
            } else {
                mask |= 0xffff_ffff_0000_0000L;
            }
            mask &= ~(long) PciRegs.BAR_FLAG_BITS;
            if (mask == 0 || (mask & 0xffff_ffffL) == 0 && !is64) {
                function.configWrite(reg, 4, original);
            } else {
                long size = -mask;
                long base = (next + size - 1) & -size;
                next = base + size;
                barBase[bar] = base;
                barSize[bar] = size;
                function.configWrite(reg, 4, (int) base);
                if (is64) {
                    function.configWrite(reg + 4, 4, (int) (base >>> 32));
                }
            }
            if (is64) {
                bar++;
            }
        }
    }

    private void enableMsix() {
        if (msixCap < 0) {
            return;
        }
        msixVectors = (function.configRead(msixCap + PciRegs.MSIX_FLAGS, 2) & PciRegs.MSIX_FLAGS_QSIZE) + 1;
        int table = function.configRead(msixCap + PciRegs.MSIX_TABLE, 4);
        int tableBar = table & PciRegs.MSIX_BIR_MASK;
        long tableAddr = barBase[tableBar] + (table & ~PciRegs.MSIX_BIR_MASK);
        for (int v = 0; v < msixVectors; v++) {
            vectorCounts.add(new AtomicInteger());
            long entry = tableAddr + (long) v * PciRegs.MSIX_ENTRY_SIZE;
            mmioWrite(entry, 4, MSI_ADDRESS & 0xffff_ffffL);
            mmioWrite(entry + 4, 4, MSI_ADDRESS >>> 32);
            mmioWrite(entry + PciRegs.MSIX_ENTRY_DATA, 4, v);
            mmioWrite(entry + PciRegs.MSIX_ENTRY_VECTOR_CTRL, 4, 0);
        }
        function.configWrite(msixCap + PciRegs.MSIX_FLAGS, 2, PciRegs.MSIX_FLAGS_ENABLE);
    }

    // ---- what was found ----

    public PciFunction function() {
        return function;
    }

    public Optional<VirtioCap> cap(int cfgType) {
        return Optional.ofNullable(caps.get(cfgType));
    }

    /** The shared memory region {@code shmid}, as its capability names it. */
    public Optional<SharedMemoryCap> sharedMemoryRegion(int shmid) {
        return Optional.ofNullable(sharedMemory.get(shmid));
    }

    /** {@code length} bytes at {@code offset} of shared memory region {@code shmid}, read through its BAR. */
    public byte[] readSharedMemory(int shmid, long offset, int length) {
        long base = sharedMemoryAddress(shmid, offset, length);
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) mmioRead(base + i, 1);
        }
        return bytes;
    }

    /** Writes {@code bytes} at {@code offset} of shared memory region {@code shmid} through its BAR. */
    public void writeSharedMemory(int shmid, long offset, byte[] bytes) {
        long base = sharedMemoryAddress(shmid, offset, bytes.length);
        for (int i = 0; i < bytes.length; i++) {
            mmioWrite(base + i, 1, bytes[i] & 0xff);
        }
    }

    private long sharedMemoryAddress(int shmid, long offset, int length) {
        SharedMemoryCap c = sharedMemoryRegion(shmid).orElseThrow(
                () -> new IllegalStateException("no shared memory region " + shmid));
        if (offset < 0 || length < 0 || offset + length > c.length()) {
            throw new IllegalArgumentException(offset + " + " + length + " is outside shared memory region " + shmid);
        }
        return barBase[c.bar()] + c.offset() + offset;
    }

    public long barBase(int bar) {
        return barBase[bar];
    }

    public long barSize(int bar) {
        return barSize[bar];
    }

    public int msixCapability() {
        return msixCap;
    }

    public int msixVectors() {
        return msixVectors;
    }

    public int virtioDeviceId() {
        return function.configRead(PciRegs.DEVICE_ID, 2) - VirtioPciRegs.DEVICE_ID_BASE;
    }

    public InterruptLine line() {
        return line;
    }

    // ---- MMIO as a bus decodes it ----

    /** Reads at guest-physical {@code address}, which must fall in a placed BAR while memory decoding is on. */
    public long mmioRead(long address, int size) {
        int bar = decode(address, size);
        return function.barRead(bar, address - barBase[bar], size);
    }

    public void mmioWrite(long address, int size, long value) {
        int bar = decode(address, size);
        function.barWrite(bar, address - barBase[bar], size, value);
    }

    private int decode(long address, int size) {
        for (int bar = 0; bar < 6; bar++) {
            if (barSize[bar] != 0 && address >= barBase[bar] && address + size <= barBase[bar] + barSize[bar]) {
                if (function.barAddress(bar) != barBase[bar]) {
                    throw new IllegalStateException("BAR " + bar + " moved");
                }
                return bar;
            }
        }
        throw new IllegalStateException(String.format("no BAR decodes 0x%x", address));
    }

    private long structure(int cfgType) {
        VirtioCap c = cap(cfgType).orElseThrow(() -> new IllegalStateException("no capability " + cfgType));
        return barBase[c.bar()] + c.offset();
    }

    // ---- common configuration ----

    public long commonRead(int offset, int size) {
        return mmioRead(structure(VirtioPciRegs.PCI_CAP_COMMON_CFG) + offset, size);
    }

    public void commonWrite(int offset, int size, long value) {
        mmioWrite(structure(VirtioPciRegs.PCI_CAP_COMMON_CFG) + offset, size, value);
    }

    public int status() {
        return (int) commonRead(VirtioPciRegs.COMMON_STATUS, 1);
    }

    public void setStatus(int status) {
        commonWrite(VirtioPciRegs.COMMON_STATUS, 1, status);
    }

    /** Writes 0 and waits, as Linux does, until the device reads back 0. */
    public void reset() {
        setStatus(0);
        for (int i = 0; status() != 0; i++) {
            if (i > 1000) {
                throw new IllegalStateException("device did not complete its reset");
            }
            Thread.onSpinWait();
        }
        forward = null;
    }

    public long deviceFeatures() {
        commonWrite(VirtioPciRegs.COMMON_DFSELECT, 4, 0);
        long low = commonRead(VirtioPciRegs.COMMON_DF, 4);
        commonWrite(VirtioPciRegs.COMMON_DFSELECT, 4, 1);
        return commonRead(VirtioPciRegs.COMMON_DF, 4) << 32 | low;
    }

    public void writeDriverFeatures(long features) {
        commonWrite(VirtioPciRegs.COMMON_GFSELECT, 4, 0);
        commonWrite(VirtioPciRegs.COMMON_GF, 4, features & 0xffff_ffffL);
        commonWrite(VirtioPciRegs.COMMON_GFSELECT, 4, 1);
        commonWrite(VirtioPciRegs.COMMON_GF, 4, features >>> 32);
    }

    /**
     * §3.1.1 steps 1-6: reset, ACKNOWLEDGE, DRIVER, write {@code features}, FEATURES_OK and read
     * it back. Returns whether the device kept FEATURES_OK.
     */
    public boolean negotiate(long features) {
        reset();
        setStatus(DeviceStatus.ACKNOWLEDGE);
        setStatus(DeviceStatus.ACKNOWLEDGE | DeviceStatus.DRIVER);
        writeDriverFeatures(features);
        setStatus(DeviceStatus.ACKNOWLEDGE | DeviceStatus.DRIVER | DeviceStatus.FEATURES_OK);
        return (status() & DeviceStatus.FEATURES_OK) != 0;
    }

    public int numQueues() {
        return (int) commonRead(VirtioPciRegs.COMMON_NUMQ, 2);
    }

    public int queueMaxSize(int queue) {
        commonWrite(VirtioPciRegs.COMMON_Q_SELECT, 2, queue);
        return (int) commonRead(VirtioPciRegs.COMMON_Q_SIZE, 2);
    }

    /**
     * Sets queue {@code queue} up as Linux's {@code vp_modern_setup_queue} does: size, the three
     * addresses as 32-bit halves, its MSI-X vector (read back: NO_VECTOR means the device could
     * not map it), then enable. Returns the vector the device took.
     */
    public int setupQueue(int queue, int size, long desc, long driver, long device, int vector) {
        commonWrite(VirtioPciRegs.COMMON_Q_SELECT, 2, queue);
        commonWrite(VirtioPciRegs.COMMON_Q_SIZE, 2, size);
        commonWrite(VirtioPciRegs.COMMON_Q_DESCLO, 4, desc & 0xffff_ffffL);
        commonWrite(VirtioPciRegs.COMMON_Q_DESCHI, 4, desc >>> 32);
        commonWrite(VirtioPciRegs.COMMON_Q_AVAILLO, 4, driver & 0xffff_ffffL);
        commonWrite(VirtioPciRegs.COMMON_Q_AVAILHI, 4, driver >>> 32);
        commonWrite(VirtioPciRegs.COMMON_Q_USEDLO, 4, device & 0xffff_ffffL);
        commonWrite(VirtioPciRegs.COMMON_Q_USEDHI, 4, device >>> 32);
        commonWrite(VirtioPciRegs.COMMON_Q_MSIX, 2, vector);
        int taken = (int) commonRead(VirtioPciRegs.COMMON_Q_MSIX, 2);
        commonWrite(VirtioPciRegs.COMMON_Q_ENABLE, 2, 1);
        return taken;
    }

    /** Asks for configuration-change interrupts on {@code vector}; returns what the device took. */
    public int setConfigVector(int vector) {
        commonWrite(VirtioPciRegs.COMMON_MSIX, 2, vector);
        return (int) commonRead(VirtioPciRegs.COMMON_MSIX, 2);
    }

    public void driverOk() {
        setStatus(status() | DeviceStatus.DRIVER_OK);
    }

    public int configGeneration() {
        return (int) commonRead(VirtioPciRegs.COMMON_CFGGENERATION, 1);
    }

    /** Notifies {@code queue} by writing its index at its notify address (§4.1.4.4). */
    public void notifyQueue(int queue) {
        VirtioCap notify = cap(VirtioPciRegs.PCI_CAP_NOTIFY_CFG).orElseThrow();
        commonWrite(VirtioPciRegs.COMMON_Q_SELECT, 2, queue);
        long off = commonRead(VirtioPciRegs.COMMON_Q_NOFF, 2);
        mmioWrite(barBase[notify.bar()] + notify.offset() + off * notify.notifyOffMultiplier(), 2, queue);
    }

    /** Reads and so clears ISR status. */
    public int readIsr() {
        return (int) mmioRead(structure(VirtioPciRegs.PCI_CAP_ISR_CFG), 1);
    }

    // ---- device configuration ----

    public int deviceConfigLength() {
        return cap(VirtioPciRegs.PCI_CAP_DEVICE_CFG).map(c -> (int) c.length()).orElse(0);
    }

    /** Reads device configuration bytes, again while config_generation changes underneath (§4.1.4.3.1). */
    public byte[] readDeviceConfig(int offset, int length) {
        long base = structure(VirtioPciRegs.PCI_CAP_DEVICE_CFG);
        byte[] out = new byte[length];
        int before;
        int after;
        do {
            before = configGeneration();
            for (int i = 0; i < length; i++) {
                out[i] = (byte) mmioRead(base + offset + i, 1);
            }
            after = configGeneration();
        } while (before != after);
        return out;
    }

    public void writeDeviceConfig(int offset, byte[] bytes) {
        long base = structure(VirtioPciRegs.PCI_CAP_DEVICE_CFG);
        for (int i = 0; i < bytes.length; i++) {
            mmioWrite(base + offset + i, 1, bytes[i] & 0xff);
        }
    }

    // ---- interrupts ----

    /** MSI-X messages received for {@code vector}. */
    public int vectorCount(int vector) {
        return vectorCounts.get(vector).get();
    }

    /** How often INTx went from deasserted to asserted. */
    public int intxAssertions() {
        return intxAssertions.get();
    }

    public boolean intxAsserted() {
        return intx;
    }

    /** Messages whose address or data the driver never programmed. */
    public int rejectedMessages() {
        return rejectedMessages.get();
    }

    private final class Line implements InterruptLine {
        @Override
        public void sendMsi(MsiMessage message) {
            int vector = message.data();
            if (message.address() != MSI_ADDRESS || vector < 0 || vector >= vectorCounts.size()) {
                rejectedMessages.incrementAndGet();
                return;
            }
            vectorCounts.get(vector).incrementAndGet();
            Interrupts target = forward;
            if (target != null) {
                if (vector == 0) {
                    target.signalConfigChange();
                } else {
                    target.signalQueue(vector - 1);
                }
            }
        }

        @Override
        public void setIntx(boolean asserted) {
            if (asserted && !intx) {
                intxAssertions.incrementAndGet();
            }
            intx = asserted;
        }
    }

    // ---- the function as a VirtioDevice, for drivers written against that SPI ----

    /**
     * A {@link VirtioDevice} view of the function, so a driver written against the device SPI
     * (the testkit's GPU driver) goes through PCI: features and configuration are read through
     * the common and device configuration, {@code activate} negotiates and sets up each queue at
     * the addresses of the given {@link Virtqueue}s (only their addresses are used: the function
     * builds its own queues over its own guest memory, which must be the memory passed here),
     * then DRIVER_OK; {@code queueNotify} writes the notify area; MSI-X messages reach the
     * given {@link Interrupts}.
     */
    public VirtioDevice asVirtioDevice() {
        return new VirtioDevice() {
            @Override
            public int deviceId() {
                return virtioDeviceId();
            }

            @Override
            public long deviceFeatures() {
                return VirtioPciDriver.this.deviceFeatures();
            }

            @Override
            public int queueCount() {
                return numQueues();
            }

            @Override
            public int maxQueueSize(int queueIndex) {
                return queueMaxSize(queueIndex);
            }

            @Override
            public int configSize() {
                return deviceConfigLength();
            }

            @Override
            public void readConfig(int offset, byte[] dst) {
                byte[] bytes = readDeviceConfig(offset, dst.length);
                System.arraycopy(bytes, 0, dst, 0, dst.length);
            }

            @Override
            public void writeConfig(int offset, byte[] src) {
                writeDeviceConfig(offset, src);
            }

            @Override
            public void activate(long driverFeatures, GuestMemory memory, List<Virtqueue> queues,
                    Interrupts interrupts) {
                if (!negotiate(driverFeatures)) {
                    throw new IllegalStateException(String.format("device refused features 0x%x", driverFeatures));
                }
                forward = interrupts;
                if (msixVectors > 0 && setConfigVector(0) == NO_VECTOR) {
                    throw new IllegalStateException("device refused MSI-X vector 0 for configuration changes");
                }
                for (Virtqueue q : queues) {
                    int vector = msixVectors > 0 ? 1 + q.index() : NO_VECTOR;
                    setupQueue(q.index(), q.size(), q.descTable(), q.availRing(), q.usedRing(), vector);
                }
                driverOk();
                int s = status();
                if ((s & DeviceStatus.DEVICE_NEEDS_RESET) != 0) {
                    throw new IllegalStateException(String.format("device set DEVICE_NEEDS_RESET (status 0x%x)", s));
                }
            }

            @Override
            public void queueNotify(int queueIndex) {
                notifyQueue(queueIndex);
            }

            @Override
            public void reset() {
                VirtioPciDriver.this.reset();
            }
        };
    }
}
