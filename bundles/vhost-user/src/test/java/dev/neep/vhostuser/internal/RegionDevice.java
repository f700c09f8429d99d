package dev.neep.vhostuser.internal;

import java.util.List;
import java.util.Set;

import dev.neep.virtio.GuestMemory;
import dev.neep.virtio.Interrupts;
import dev.neep.virtio.MappingSource;
import dev.neep.virtio.SharedMemoryDevice;
import dev.neep.virtio.SharedMemoryRegion;
import dev.neep.virtio.VirtioDevice;
import dev.neep.virtio.Virtqueue;

/** A device that only asks for shared memory regions and keeps those it is handed. */
final class RegionDevice implements VirtioDevice, SharedMemoryDevice {

    private final List<RegionRequest> wanted;
    List<SharedMemoryRegion> provided = List.of();

    RegionDevice(RegionRequest... wanted) {
        this.wanted = List.of(wanted);
    }

    @Override
    public List<RegionRequest> sharedMemoryRegions(Set<MappingSource.Kind> carried) {
        return carried.contains(MappingSource.Kind.FILE_RANGE) ? wanted : List.of();
    }

    @Override
    public void provideSharedMemory(List<SharedMemoryRegion> regions) {
        provided = regions;
    }

    @Override
    public int deviceId() {
        return 42;
    }

    @Override
    public long deviceFeatures() {
        return 0;
    }

    @Override
    public int queueCount() {
        return 1;
    }

    @Override
    public int maxQueueSize(int queueIndex) {
        return 64;
    }

    @Override
    public int configSize() {
        return 0;
    }

    @Override
    public void readConfig(int offset, byte[] dst) {
        // no configuration space
    }

    @Override
    public void writeConfig(int offset, byte[] src) {
        // no configuration space
    }

    @Override
    public void activate(long driverFeatures, GuestMemory memory, List<Virtqueue> queues, Interrupts interrupts) {
        // nothing runs
    }

    @Override
    public void queueNotify(int queueIndex) {
        // nothing runs
    }

    @Override
    public void reset() {
        provided = List.of();
    }
}
