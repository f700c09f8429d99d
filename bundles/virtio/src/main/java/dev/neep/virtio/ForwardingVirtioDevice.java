package dev.neep.virtio;

import java.util.List;
import java.util.Set;

/**
 * A {@link VirtioDevice} that hands every call to {@link #delegate()}: the base of wrappers
 * that change one or two calls (a hand-over around {@code activate} and {@code reset}) and of
 * shells whose device is made later or replaced (a DS component). The {@link SharedMemoryDevice}
 * calls go to a delegate that is one; to any other, no regions are asked for or handed.
 */
public abstract class ForwardingVirtioDevice implements VirtioDevice, SharedMemoryDevice {

    /** The device the calls go to, asked anew for each call. */
    protected abstract VirtioDevice delegate();

    @Override
    public int deviceId() {
        return delegate().deviceId();
    }

    @Override
    public long deviceFeatures() {
        return delegate().deviceFeatures();
    }

    @Override
    public int queueCount() {
        return delegate().queueCount();
    }

    @Override
    public int maxQueueSize(int queueIndex) {
        return delegate().maxQueueSize(queueIndex);
    }

    @Override
    public int configSize() {
        return delegate().configSize();
    }

    @Override
    public void readConfig(int offset, byte[] dst) {
        delegate().readConfig(offset, dst);
    }

    @Override
    public void writeConfig(int offset, byte[] src) {
        delegate().writeConfig(offset, src);
    }

    @Override
    public void activate(long driverFeatures, GuestMemory memory, List<Virtqueue> queues, Interrupts interrupts) {
        delegate().activate(driverFeatures, memory, queues, interrupts);
    }

    @Override
    public void queueNotify(int queueIndex) {
        delegate().queueNotify(queueIndex);
    }

    @Override
    public void reset() {
        delegate().reset();
    }

    @Override
    public boolean waitIn(NotificationSource source) {
        return delegate().waitIn(source);
    }

    @Override
    public List<RegionRequest> sharedMemoryRegions(Set<MappingSource.Kind> carried) {
        return delegate() instanceof SharedMemoryDevice shm ? shm.sharedMemoryRegions(carried) : List.of();
    }

    @Override
    public void provideSharedMemory(List<SharedMemoryRegion> regions) {
        if (delegate() instanceof SharedMemoryDevice shm) {
            shm.provideSharedMemory(regions);
        }
    }
}
