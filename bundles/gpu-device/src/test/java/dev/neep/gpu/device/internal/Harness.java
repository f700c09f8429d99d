package dev.neep.gpu.device.internal;

import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.api.GpuBackendProvider;
import dev.neep.gpu.device.DeviceConfig;
import dev.neep.testkit.GpuDriver;
import dev.neep.virtio.GuestMemories;
import dev.neep.virtio.RegionGuestMemory;
import dev.neep.virtio.driver.GuestAllocator;

/**
 * A device driven through real virtqueues: heap guest memory, the testkit's guest driver
 * (which lays out the rings as Linux does, kicks and waits for interrupts), a backend
 * provider and a recording sink.
 */
final class Harness implements AutoCloseable {
    static final long BASE = 0x10_0000;

    final GpuDevice device;
    final GpuBackendProvider provider;
    final RegionGuestMemory memory;
    final GuestAllocator allocator;
    final RecordingSink sink;
    GpuDriver driver;

    private Harness(GpuDevice device, GpuBackendProvider provider, int memoryBytes) {
        this.device = device;
        this.sink = new RecordingSink().settleWith(device::awaitIdle);
        this.provider = provider;
        this.memory = GuestMemories.heap(BASE, memoryBytes);
        this.allocator = new GuestAllocator(BASE, memoryBytes);
    }

    /** A 3D-capable test backend, 16 MiB of guest memory, the driver accepting every GPU feature. */
    static Harness start() {
        return start(DeviceConfig.defaults(), new TestBackend.Provider("test"));
    }

    static Harness start(DeviceConfig config, GpuBackendProvider provider) {
        return start(config, provider, GpuDriver.Options.defaults(), 16 << 20);
    }

    static Harness start(DeviceConfig config, GpuBackendProvider provider, GpuDriver.Options options,
            int memoryBytes) {
        return start(new GpuDevice(config), provider, options, memoryBytes);
    }

    /** {@code device} (made by the test, e.g. with a short front-end timeout) with {@code provider}'s backend. */
    static Harness start(GpuDevice device, GpuBackendProvider provider) {
        return start(device, provider, GpuDriver.Options.defaults(), 16 << 20);
    }

    private static Harness start(GpuDevice device, GpuBackendProvider provider, GpuDriver.Options options,
            int memoryBytes) {
        Harness h = new Harness(device, provider, memoryBytes);
        try {
            h.device.useProvider(provider);
        } catch (GpuBackendException e) {
            throw new IllegalStateException(e);
        }
        h.device.addSink(h.sink);
        h.driver = GpuDriver.start(h.device, h.memory, h.allocator, options);
        return h;
    }

    TestBackend backend() {
        return ((TestBackend.Provider) provider).last();
    }

    TestBackend.Provider testProvider() {
        return (TestBackend.Provider) provider;
    }

    /** Lets the device thread finish what it has queued (fence completions, sink calls). */
    void settle() {
        device.awaitIdle();
    }

    @Override
    public void close() {
        driver.close();
        device.close();
    }
}
