package dev.neep.gpu.vga.internal;

import dev.neep.gpu.device.VgaScanout;
import dev.neep.gpu.vga.VgaDisplay;
import dev.neep.gpu.vga.VgaPorts;
import dev.neep.virtio.ForwardingVirtioDevice;
import dev.neep.virtio.GuestMemory;
import dev.neep.virtio.Interrupts;
import dev.neep.virtio.OnceLog;
import dev.neep.virtio.VirtioDevice;
import dev.neep.virtio.Virtqueue;
import dev.neep.virtio.pci.InterruptLine;
import dev.neep.virtio.pci.PciBar;
import dev.neep.virtio.pci.PciFunction;
import dev.neep.virtio.pci.PciRegs;
import dev.neep.virtio.pci.VirtioPciFunction;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * virtio-vga: the virtio-gpu PCI function with class code VGA, plus what keeps a guest's
 * firmware and early boot on screen until the virtio driver takes over, as QEMU's
 * {@code virtio-vga} does.
 *
 * <p>BARs: 0 is the VRAM (32-bit, prefetchable), the linear framebuffer of the Bochs VBE
 * modes; 1 is the transport's MSI-X table; 2 is QEMU's stdvga MMIO page (4 KiB: the DISPI
 * registers flat at {@value #MMIO_DISPI} + index * 2 and QEMU's extended registers at
 * {@value #MMIO_QEXT}); 4/5 are the transport's virtio regions. QEMU instead puts the virtio
 * regions at the end of BAR 2 and MSI-X in BAR 4; drivers find both through capabilities, and
 * firmware looks for the VRAM in BAR 0 and the DISPI registers at 0x500 of BAR 2, which hold
 * here as there.
 *
 * <p>Display: the VGA side draws only on {@link #refresh}, and hands its pictures to the GPU
 * device itself ({@link VgaScanout}), which shows them to its own sinks until a driver activates
 * it; the sinks bound to the device are the ones that see the firmware's picture.
 *
 * <p>Hand-over: the virtio device is wrapped so that DRIVER_OK (the transport calling
 * {@code activate}) stops the VGA side before the GPU starts (the GPU's activation takes the
 * VGA picture off its sinks before its first command), and a virtio reset gives the screen back
 * to VGA.
 */
public final class VirtioVga implements PciFunction, VgaPorts, VgaDisplay, AutoCloseable {
    public static final int VIRTIO_DEVICE_ID_GPU = 16;
    public static final int VRAM_BAR = 0;
    public static final int MMIO_BAR = 2;
    public static final int MMIO_BAR_SIZE = 0x1000;
    /** QEMU's remap of VGA ports 0x3c0..0x3df: accepted, not modelled (no legacy VGA). */
    public static final int MMIO_VGA_PORTS = 0x400;
    public static final int MMIO_VGA_PORTS_SIZE = 0x20;
    public static final int MMIO_DISPI = 0x500;
    public static final int MMIO_QEXT = 0x600;
    public static final int QEXT_SIZE = 8;
    public static final int QEXT_ENDIANNESS = 4;
    public static final int ENDIAN_LITTLE = 0x1e1e_1e1e;
    public static final int ENDIAN_BIG = 0xbebe_bebe;

    private static final Logger LOG = LoggerFactory.getLogger(VirtioVga.class);

    /**
     * @param vramSize          bytes of VRAM, a power of two from 1 MiB to 1 GiB
     * @param directVram        VRAM off the Java heap
     * @param subsystemVendorId PCI subsystem vendor id
     * @param subsystemId       PCI subsystem id
     */
    public record Options(int vramSize, boolean directVram, int subsystemVendorId, int subsystemId) {
        public static final int DEFAULT_VRAM_SIZE = 16 << 20;

        /** 16 MiB of heap VRAM and QEMU's subsystem ids (1af4:1100). */
        public static Options defaults() {
            return new Options(DEFAULT_VRAM_SIZE, false, 0x1af4, 0x1100);
        }
    }

    private final VirtioPciFunction function;
    private final Vram vram;
    private final BochsVbe vbe;
    private final VgaScreen screen;
    private final OnceLog log = new OnceLog(LOG, "virtio-vga");
    private final Object barLock = new Object();
    private int vramBarRegister;
    private int mmioBarRegister;

    /**
     * The VGA side of {@code gpu}, which must be neep's GPU device: a {@link VgaScanout} too (a
     * {@code VirtioGpu}, or the device's service object in a framework), to which the VGA
     * pictures go.
     */
    public VirtioVga(VirtioDevice gpu, GuestMemory memory, Options options) {
        Objects.requireNonNull(gpu, "gpu");
        if (gpu.deviceId() != VIRTIO_DEVICE_ID_GPU) {
            throw new IllegalArgumentException("virtio device id " + gpu.deviceId() + " is not a GPU ("
                    + VIRTIO_DEVICE_ID_GPU + ")");
        }
        if (!(gpu instanceof VgaScanout scanout)) {
            throw new IllegalArgumentException("virtio device " + gpu.getClass().getName() + " takes no VGA picture: "
                    + "virtio-vga needs neep's GPU device (a " + VgaScanout.class.getName() + ")");
        }
        this.vram = new Vram(options.vramSize(), options.directVram());
        this.vbe = new BochsVbe(vram);
        this.screen = new VgaScreen(scanout, vram, vbe);
        VirtioPciFunction.Options pci = VirtioPciFunction.Options.forDevice(VIRTIO_DEVICE_ID_GPU)
                .withClassCode(VirtioPciFunction.Options.CLASS_DISPLAY_VGA)
                .withSubsystem(options.subsystemVendorId(), options.subsystemId());
        this.function = new VirtioPciFunction(new HandOver(gpu), memory, pci);
        resetBars();
    }

    public Vram vram() {
        return vram;
    }

    public BochsVbe vbe() {
        return vbe;
    }

    /** The transport, for VMM monitors and tests (device status). */
    public VirtioPciFunction transport() {
        return function;
    }

    /** True while the VGA side owns the screen. */
    public boolean vgaActive() {
        return screen.vgaActive();
    }

    // ---- VgaDisplay ----

    @Override
    public void refresh() {
        screen.refresh();
    }

    // ---- VgaPorts ----

    @Override
    public boolean decodes(int port) {
        return port == VBE_DISPI_INDEX_PORT || port == VBE_DISPI_DATA_PORT || port == VBE_DISPI_DATA_PORT_ALT;
    }

    @Override
    public int ioRead(int port, int size) {
        int mask = portMask(size);
        return switch (port) {
            case VBE_DISPI_INDEX_PORT -> vbe.readIndex() & mask;
            case VBE_DISPI_DATA_PORT, VBE_DISPI_DATA_PORT_ALT -> vbe.readData() & mask;
            default -> mask;
        };
    }

    @Override
    public void ioWrite(int port, int size, int value) {
        int v = value & portMask(size) & 0xffff;
        switch (port) {
            case VBE_DISPI_INDEX_PORT -> vbe.writeIndex(v);
            case VBE_DISPI_DATA_PORT, VBE_DISPI_DATA_PORT_ALT -> vbe.writeData(v);
            default -> log.guest("write to a port not decoded", String.format("0x%x", port));
        }
    }

    private static int portMask(int size) {
        return switch (size) {
            case 1 -> 0xff;
            case 2 -> 0xffff;
            case 4 -> 0xffff_ffff;
            default -> throw new IllegalArgumentException("I/O access of " + size + " bytes (1, 2 or 4)");
        };
    }

    // ---- PciFunction: configuration space ----

    @Override
    public int configRead(int offset, int size) {
        int value = function.configRead(offset, size);
        synchronized (barLock) {
            for (int i = 0; i < size; i++) {
                int own = ownBarByte(offset + i);
                if (own >= 0) {
                    value = value & ~(0xff << 8 * i) | own << 8 * i;
                }
            }
        }
        return value;
    }

    @Override
    public void configWrite(int offset, int size, int value) {
        function.configWrite(offset, size, value);
        synchronized (barLock) {
            for (int i = 0; i < size; i++) {
                int at = offset + i;
                int b = value >>> 8 * i & 0xff;
                if (at >= barRegister(VRAM_BAR) && at < barRegister(VRAM_BAR) + 4) {
                    vramBarRegister = writeBarByte(vramBarRegister, at - barRegister(VRAM_BAR), b, vram.size());
                } else if (at >= barRegister(MMIO_BAR) && at < barRegister(MMIO_BAR) + 4) {
                    mmioBarRegister = writeBarByte(mmioBarRegister, at - barRegister(MMIO_BAR), b, MMIO_BAR_SIZE);
                }
            }
        }
    }

    private static int barRegister(int bar) {
        return PciRegs.BAR0 + 4 * bar;
    }

    /** The byte of BAR 0 or 2 at config offset {@code at}, or -1 when the transport owns it. */
    private int ownBarByte(int at) {
        if (at >= barRegister(VRAM_BAR) && at < barRegister(VRAM_BAR) + 4) {
            return vramBarRegister >>> 8 * (at - barRegister(VRAM_BAR)) & 0xff;
        }
        if (at >= barRegister(MMIO_BAR) && at < barRegister(MMIO_BAR) + 4) {
            return mmioBarRegister >>> 8 * (at - barRegister(MMIO_BAR)) & 0xff;
        }
        return -1;
    }

    /** The address bits at and above the size are writable; the flag bits and the size bits read back fixed. */
    private static int writeBarByte(int register, int byteIndex, int value, int size) {
        int mask = ~(size - 1) & ~PciRegs.BAR_FLAG_BITS & 0xff << 8 * byteIndex;
        return register & ~mask | value << 8 * byteIndex & mask;
    }

    private void resetBars() {
        synchronized (barLock) {
            vramBarRegister = PciRegs.BAR_MEM_PREFETCH;
            mmioBarRegister = 0;
        }
    }

    @Override
    public List<PciBar> bars() {
        List<PciBar> bars = new ArrayList<>(function.bars());
        bars.add(new PciBar(VRAM_BAR, vram.size(), false, true));
        bars.add(new PciBar(MMIO_BAR, MMIO_BAR_SIZE, false, false));
        bars.sort(Comparator.comparingInt(PciBar::index));
        return List.copyOf(bars);
    }

    @Override
    public long barAddress(int index) {
        synchronized (barLock) {
            if (index == VRAM_BAR) {
                return vramBarRegister & 0xffff_fff0L;
            }
            if (index == MMIO_BAR) {
                return mmioBarRegister & 0xffff_fff0L;
            }
        }
        return function.barAddress(index);
    }

    @Override
    public boolean memoryEnabled() {
        return function.memoryEnabled();
    }

    // ---- PciFunction: BARs ----

    @Override
    public long barRead(int bar, long offset, int size) {
        if (bar == VRAM_BAR) {
            checkSize(size);
            if (!vram.contains(offset, size)) {
                return outside(bar, offset, size, "read");
            }
            return vram.read(offset, size);
        }
        if (bar == MMIO_BAR) {
            checkSize(size);
            return mmioRead(offset, size);
        }
        return function.barRead(bar, offset, size);
    }

    @Override
    public void barWrite(int bar, long offset, int size, long value) {
        if (bar == VRAM_BAR) {
            checkSize(size);
            if (vram.contains(offset, size)) {
                vram.write(offset, size, value);
            } else {
                outside(bar, offset, size, "write");
            }
        } else if (bar == MMIO_BAR) {
            checkSize(size);
            mmioWrite(offset, size, value);
        } else {
            function.barWrite(bar, offset, size, value);
        }
    }

    private long mmioRead(long offset, int size) {
        if (inside(offset, size, MMIO_DISPI, 2 * BochsVbe.INDEX_COUNT)) {
            long value = 0;
            for (int i = 0; i < size; i++) {
                long at = offset + i - MMIO_DISPI;
                value |= (long) (vbe.read((int) (at >>> 1)) >>> 8 * (at & 1) & 0xff) << 8 * i;
            }
            return value;
        }
        if (inside(offset, size, MMIO_QEXT, QEXT_SIZE)) {
            long value = 0;
            for (int i = 0; i < size; i++) {
                long at = offset + i - MMIO_QEXT;
                int word = at < QEXT_ENDIANNESS ? QEXT_SIZE : ENDIAN_LITTLE;
                value |= (long) (word >>> 8 * (at & 3) & 0xff) << 8 * i;
            }
            return value;
        }
        if (inside(offset, size, MMIO_VGA_PORTS, MMIO_VGA_PORTS_SIZE)) {
            log.guest("legacy VGA register read", String.format("port 0x%x: legacy VGA is not modelled",
                    0x3c0 + offset - MMIO_VGA_PORTS));
            return 0;
        }
        return outside(MMIO_BAR, offset, size, "read");
    }

    private void mmioWrite(long offset, int size, long value) {
        if (inside(offset, size, MMIO_DISPI, 2 * BochsVbe.INDEX_COUNT)) {
            // Registers are 16 bits: a wider access covers several, a byte merges into one.
            long at = offset - MMIO_DISPI;
            int done = 0;
            while (done < size) {
                int reg = (int) ((at + done) >>> 1);
                int low = (int) ((at + done) & 1);
                int bytes = Math.min(2 - low, size - done);
                int mask = (bytes == 2 ? 0xffff : 0xff) << 8 * low;
                int part = (int) (value >>> 8 * done) << 8 * low & mask;
                int merged = bytes == 2 ? part : vbe.read(reg) & ~mask | part;
                vbe.write(reg, merged);
                done += bytes;
            }
        } else if (inside(offset, size, MMIO_QEXT, QEXT_SIZE)) {
            if (offset == MMIO_QEXT + QEXT_ENDIANNESS && size == 4 && (int) value == ENDIAN_LITTLE) {
                return;
            }
            log.guest("QEMU extended register write", String.format(
                    "0x%x (%d bytes) at 0x%x: only a little-endian framebuffer (0x%08x at 0x%x) is supported", value,
                    size, offset, ENDIAN_LITTLE, MMIO_QEXT + QEXT_ENDIANNESS));
        } else if (inside(offset, size, MMIO_VGA_PORTS, MMIO_VGA_PORTS_SIZE)) {
            log.guest("legacy VGA register write", String.format("port 0x%x: legacy VGA is not modelled",
                    0x3c0 + offset - MMIO_VGA_PORTS));
        } else {
            outside(MMIO_BAR, offset, size, "write");
        }
    }

    private static boolean inside(long offset, int size, int base, int length) {
        return offset >= base && offset + size <= base + length;
    }

    private static void checkSize(int size) {
        if (size != 1 && size != 2 && size != 4 && size != 8) {
            throw new IllegalArgumentException("BAR access of " + size + " bytes (1, 2, 4 or 8)");
        }
    }

    private long outside(int bar, long offset, int size, String access) {
        log.guest("BAR " + access, String.format("%d bytes at 0x%x of BAR %d, where nothing is decoded", size,
                offset, bar));
        return 0;
    }

    // ---- PciFunction: the rest ----

    @Override
    public void connect(InterruptLine line) {
        function.connect(line);
    }

    /** A bus or function-level reset: the transport and device reset, VBE disabled, BARs unplaced. */
    @Override
    public void reset() {
        function.reset();
        vbe.reset();
        resetBars();
    }

    /** Resets the virtio device and disconnects; the VGA picture leaves the device's sinks. */
    @Override
    public void close() {
        function.close();
        vbe.reset();
        screen.refresh();
    }

    @Override
    public String toString() {
        return "virtio-vga " + function;
    }

    /** The GPU as the transport sees it: DRIVER_OK and reset move the screen between VGA and virtio. */
    private final class HandOver extends ForwardingVirtioDevice {
        private final VirtioDevice gpu;

        HandOver(VirtioDevice gpu) {
            this.gpu = gpu;
        }

        @Override
        protected VirtioDevice delegate() {
            return gpu;
        }

        @Override
        public void activate(long driverFeatures, GuestMemory memory, List<Virtqueue> queues,
                Interrupts interrupts) {
            // No VGA picture is handed over from here on; the GPU takes the one shown off its sinks.
            screen.handOver();
            try {
                gpu.activate(driverFeatures, memory, queues, interrupts);
            } catch (RuntimeException | Error e) {
                screen.takeBack();
                throw e;
            }
        }

        @Override
        public void reset() {
            // The GPU withdraws its scanouts first (its reset returns when done), then VGA may show again.
            gpu.reset();
            screen.takeBack();
        }
    }
}
