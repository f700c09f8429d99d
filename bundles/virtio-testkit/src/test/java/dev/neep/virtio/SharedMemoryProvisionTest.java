package dev.neep.virtio;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;

import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.Test;
import org.slf4j.LoggerFactory;

/** How {@link VirtioTransportCore} hands a {@link SharedMemoryDevice} its regions, and what a source accepts. */
public class SharedMemoryProvisionTest {

    private static final long VERSION_1 = VirtioFeatures.bit(VirtioFeatures.VIRTIO_F_VERSION_1);

    /** Every other VirtioDevice call answers 0 or does nothing: a queue-less device without configuration. */
    private static final VirtioDevice QUIET = (VirtioDevice) Proxy.newProxyInstance(
            SharedMemoryProvisionTest.class.getClassLoader(), new Class<?>[] {VirtioDevice.class},
            (proxy, method, args) -> method.getReturnType() == int.class ? (Object) 0
                    : method.getReturnType() == long.class ? (Object) 0L : null);

    /** Records the regions it is handed and when, among its activations and resets. */
    private static final class Device extends ForwardingVirtioDevice {
        final List<String> calls = new ArrayList<>();
        List<SharedMemoryRegion> provided;

        @Override
        protected VirtioDevice delegate() {
            return QUIET;
        }

        @Override
        public List<RegionRequest> sharedMemoryRegions(Set<MappingSource.Kind> carried) {
            return List.of(new RegionRequest(1, 1 << 20));
        }

        @Override
        public void provideSharedMemory(List<SharedMemoryRegion> regions) {
            calls.add("provide " + regions.size());
            provided = regions;
        }

        @Override
        public long deviceFeatures() {
            return VERSION_1;
        }

        @Override
        public void activate(long driverFeatures, GuestMemory memory, List<Virtqueue> queues, Interrupts interrupts) {
            calls.add("activate");
        }

        @Override
        public void reset() {
            calls.add("reset");
        }
    }

    private static final SharedMemoryRegion REGION = new SharedMemoryRegion() {
        @Override
        public int shmid() {
            return 1;
        }

        @Override
        public long length() {
            return 1 << 20;
        }

        @Override
        public Set<MappingSource.Kind> sources() {
            return Set.of(MappingSource.Kind.FILE_RANGE);
        }

        @Override
        public void map(long offset, MappingSource source, Cache cache, Access access) {
        }

        @Override
        public void unmap(long offset, long length) {
        }
    };

    private final Device device = new Device();
    private final VirtioTransportCore core = new VirtioTransportCore(device, GuestMemories.heap(0, 1 << 16), ~0L,
            VERSION_1, new VirtioTransportCore.Transport() {
                @Override
                public Interrupts interrupts() {
                    return null;
                }

                @Override
                public void resetting() {
                }

                @Override
                public void needsReset(String reason) {
                    throw new AssertionError(reason);
                }
            }, new OnceLog(LoggerFactory.getLogger(SharedMemoryProvisionTest.class), "test"));

    private void driverOk() {
        int ackDriver = DeviceStatus.ACKNOWLEDGE | DeviceStatus.DRIVER;
        core.writeStatus(ackDriver);
        core.setDriverFeatures(VERSION_1);
        core.writeStatus(ackDriver | DeviceStatus.FEATURES_OK);
        core.writeStatus(ackDriver | DeviceStatus.FEATURES_OK | DeviceStatus.DRIVER_OK);
    }

    @Test
    public void regionsAreHandedBeforeEachActivation() {
        core.setSharedMemory(List.of(REGION));
        driverOk();
        core.writeStatus(0);
        driverOk();
        assertEquals(List.of("provide 1", "activate", "reset", "provide 1", "activate"), device.calls);
        assertSame(REGION, device.provided.get(0));
    }

    @Test
    public void aTransportThatSetsNoneHandsAnEmptyList() {
        driverOk();
        assertEquals(List.of("provide 0", "activate"), device.calls);
    }

    @Test
    public void aForwardingDeviceForwardsTheRegionsToADelegateThatWantsThem() {
        ForwardingVirtioDevice forwarding = new ForwardingVirtioDevice() {
            @Override
            protected VirtioDevice delegate() {
                return device;
            }
        };
        Set<MappingSource.Kind> files = Set.of(MappingSource.Kind.FILE_RANGE);
        assertEquals(device.sharedMemoryRegions(files), forwarding.sharedMemoryRegions(files));
        forwarding.provideSharedMemory(List.of(REGION));
        assertSame(REGION, device.provided.get(0));
    }

    @Test
    public void sourcesRefuseWhatCannotBeMapped() {
        assertThrows(IllegalArgumentException.class, () -> new MappingSource.HostMemory(1, ByteBuffer.allocate(16)));
        assertThrows(IllegalArgumentException.class,
                () -> new MappingSource.HostMemory(0, ByteBuffer.allocateDirect(16)));
        assertThrows(IllegalArgumentException.class, () -> new MappingSource.FileRange(-1, 0, 4096));
        assertThrows(IllegalArgumentException.class, () -> new MappingSource.FileRange(3, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new SharedMemoryDevice.RegionRequest(256, 4096));
        assertEquals(4096L, new MappingSource.FileRange(3, 8192, 4096).length());
    }
}
