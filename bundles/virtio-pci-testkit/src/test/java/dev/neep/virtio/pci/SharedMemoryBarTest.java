package dev.neep.virtio.pci;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertThrows;

import dev.neep.virtio.GuestMemories;
import dev.neep.virtio.MappingSource;
import dev.neep.virtio.RegionGuestMemory;
import dev.neep.virtio.SharedMemoryRegion;
import dev.neep.virtio.VirtioDevice;
import dev.neep.virtio.VirtioFeatures;
import dev.neep.virtio.ForwardingVirtioDevice;
import dev.neep.virtio.driver.GuestAllocator;
import dev.neep.virtio.pci.driver.VirtioPciDriver;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import org.junit.Before;
import org.junit.Test;

/**
 * The shared memory BAR of virtio 1.2 §4.1.4.7: the SHARED_MEMORY_CFG capability, the 64-bit
 * prefetchable BAR sized by what the device asks, and a guest reading and writing what the device
 * mapped, through the reference {@link JavaSharedMemoryBar}.
 */
public class SharedMemoryBarTest {
    private static final long RAM = 0x10_0000;
    private static final int RAM_SIZE = 1 << 20;
    private static final long MMIO = 0xe000_0000L;
    private static final long REGION = 3 << 16; // not a power of two: the BAR rounds up

    /** FakeDevice asking for region 1 and keeping what it is handed. */
    private static final class ShmDevice extends ForwardingVirtioDevice {
        final FakeDevice fake = new FakeDevice();
        volatile List<SharedMemoryRegion> regions = List.of();

        @Override
        protected VirtioDevice delegate() {
            return fake;
        }

        @Override
        public List<RegionRequest> sharedMemoryRegions(Set<MappingSource.Kind> carried) {
            return List.of(new RegionRequest(1, REGION));
        }

        @Override
        public void provideSharedMemory(List<SharedMemoryRegion> provided) {
            regions = provided;
        }
    }

    private final ShmDevice device = new ShmDevice();
    private final JavaSharedMemoryBar bar = new JavaSharedMemoryBar();
    private VirtioPciFunction function;
    private VirtioPciDriver driver;

    @Before
    public void setUp() {
        RegionGuestMemory memory = GuestMemories.heap(RAM, RAM_SIZE);
        function = new VirtioPciFunction(device, memory, VirtioPciFunction.Options.forDevice(FakeDevice.DEVICE_ID),
                bar);
        driver = VirtioPciDriver.probe(function, MMIO);
        assertNotNull(new GuestAllocator(RAM, RAM_SIZE));
    }

    private SharedMemoryRegion activate() {
        driver.negotiate(VirtioFeatures.bit(VirtioFeatures.VIRTIO_F_VERSION_1));
        driver.driverOk();
        assertEquals(1, device.regions.size());
        return device.regions.get(0);
    }

    @Test
    public void theCapabilityNamesShmidOneOnA64BitPrefetchableBarSizedToAPowerOfTwo() {
        VirtioPciDriver.SharedMemoryCap cap = driver.sharedMemoryRegion(1).orElseThrow();
        assertEquals(VirtioPciFunction.SHARED_MEMORY_BAR, cap.bar());
        assertEquals(0, cap.offset());
        assertEquals(REGION, cap.length());
        assertEquals(1 << 18, driver.barSize(VirtioPciFunction.SHARED_MEMORY_BAR));
        int barReg = function.configRead(PciRegs.BAR0 + 4 * VirtioPciFunction.SHARED_MEMORY_BAR, 4);
        assertEquals(PciRegs.BAR_MEM_TYPE_64 | PciRegs.BAR_MEM_PREFETCH, barReg & PciRegs.BAR_FLAG_BITS);
        assertEquals(new PciBar(2, 1 << 18, true, true), function.bars().get(1));
    }

    @Test
    public void withoutASharedMemoryBarThereIsNoCapabilityAndNoBar() {
        VirtioPciFunction plain = new VirtioPciFunction(device, GuestMemories.heap(RAM, RAM_SIZE));
        VirtioPciDriver d = VirtioPciDriver.probe(plain, MMIO);
        assertFalse(d.sharedMemoryRegion(1).isPresent());
        assertEquals(2, plain.bars().size());
    }

    @Test
    public void theGuestReadsAndWritesHostMemoryTheDeviceMapped() throws Exception {
        SharedMemoryRegion region = activate();
        ByteBuffer host = ByteBuffer.allocateDirect(8192);
        host.put(0, (byte) 0x5a).put(8191, (byte) 0xa5);
        region.map(4096, new MappingSource.HostMemory(1, host), SharedMemoryRegion.Cache.CACHED,
                SharedMemoryRegion.Access.READ_WRITE);
        assertArrayEquals(new byte[] {0x5a, 0}, driver.readSharedMemory(1, 4096, 2));
        assertEquals((byte) 0xa5, driver.readSharedMemory(1, 4096 + 8191, 1)[0]);
        driver.writeSharedMemory(1, 4096 + 100, new byte[] {1, 2, 3});
        assertEquals(3, host.get(102));
        assertArrayEquals(new byte[4], driver.readSharedMemory(1, 0, 4)); // nothing mapped there
        region.unmap(4096, 8192);
        assertArrayEquals(new byte[2], driver.readSharedMemory(1, 4096, 2));
        assertEquals(0, bar.mappings());
    }

    @Test
    public void theGuestReadsAndWritesAFileRangeTheDeviceMapped() throws Exception {
        SharedMemoryRegion region = activate();
        Path file = Files.createTempFile("shm", ".bin");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {9, 8, 7, 6}), 4096);
            int fd = fdOf(file);
            long openBefore = openDescriptors();
            region.map(0, new MappingSource.FileRange(fd, 4096, 4096), SharedMemoryRegion.Cache.CACHED,
                    SharedMemoryRegion.Access.READ_WRITE);
            assertArrayEquals(new byte[] {9, 8, 7, 6}, driver.readSharedMemory(1, 0, 4));
            driver.writeSharedMemory(1, 2, new byte[] {42});
            ByteBuffer back = ByteBuffer.allocate(1);
            ch.read(back, 4098);
            assertEquals(42, back.get(0));
            region.unmap(0, 4096);
            assertEquals("the BAR's own descriptor of the file is closed at unmap", openBefore, openDescriptors());
        } finally {
            Files.delete(file);
        }
    }

    @Test
    public void aMappingOutsideTheRegionOrOverALiveOneIsRefused() throws Exception {
        SharedMemoryRegion region = activate();
        ByteBuffer host = ByteBuffer.allocateDirect(8192);
        assertThrows(IllegalArgumentException.class, () -> region.map(REGION - 4096,
                new MappingSource.HostMemory(1, host), SharedMemoryRegion.Cache.CACHED,
                SharedMemoryRegion.Access.READ_WRITE));
        region.map(0, new MappingSource.HostMemory(1, host), SharedMemoryRegion.Cache.CACHED,
                SharedMemoryRegion.Access.READ_WRITE);
        assertThrows(IllegalArgumentException.class, () -> region.map(4096, new MappingSource.HostMemory(1, host),
                SharedMemoryRegion.Cache.CACHED, SharedMemoryRegion.Access.READ_WRITE));
        assertThrows(IllegalArgumentException.class, () -> region.unmap(0, 4096));
    }

    @Test
    public void whatTheDeviceLeavesMappedIsUnmappedAtReset() throws Exception {
        SharedMemoryRegion region = activate();
        region.map(0, new MappingSource.HostMemory(1, ByteBuffer.allocateDirect(4096)),
                SharedMemoryRegion.Cache.CACHED, SharedMemoryRegion.Access.READ_WRITE);
        driver.reset();
        assertEquals(0, bar.mappings());
        region.map(0, new MappingSource.HostMemory(1, ByteBuffer.allocateDirect(4096)),
                SharedMemoryRegion.Cache.CACHED, SharedMemoryRegion.Access.READ_WRITE);
        function.reset();
        assertEquals(0, bar.mappings());
    }

    private static long openDescriptors() throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    /** The descriptor of an open file of this process, found through /proc/self/fd. */
    private static int fdOf(Path file) throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(p -> {
                try {
                    return Files.readSymbolicLink(p).equals(file.toRealPath());
                } catch (IOException e) {
                    return false;
                }
            }).mapToInt(p -> Integer.parseInt(p.getFileName().toString())).findFirst().orElseThrow();
        }
    }
}
