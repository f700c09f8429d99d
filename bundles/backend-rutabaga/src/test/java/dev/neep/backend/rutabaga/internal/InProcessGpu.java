package dev.neep.backend.rutabaga.internal;

import dev.neep.gpu.device.DeviceConfig;
import dev.neep.gpu.device.VirtioGpu;
import dev.neep.testkit.RecordingSink;
import dev.neep.testkit.GpuDriver;
import dev.neep.testkit.TrackingProvider;
import dev.neep.virtio.GuestMemories;
import dev.neep.virtio.RegionGuestMemory;
import dev.neep.virtio.driver.GuestAllocator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.Assume;

/**
 * neep's device with the rutabaga backend over the real library ({@code NEEP_RUTABAGA_LIBRARY}),
 * in this process, driven by the testkit's guest driver over direct guest memory (the library
 * keeps pointers into it). What the device shows lands in {@link #sink}; {@link #tracking}
 * counts what it leaves in the backend; what it maps for the guest, {@link #window} holds.
 */
final class InProcessGpu implements AutoCloseable {

    private static final long RAM = 0x10_0000;
    private static final long RAM_SIZE = 64L << 20;
    /** The host-visible region's size (device setting {@code hostmem}). */
    private static final long HOSTMEM = 16L << 20;

    final TrackingProvider tracking;
    /** The host-visible region, as an in-process VMM would give it: what the device maps there. */
    final HostWindow window = new HostWindow(HOSTMEM);
    final VirtioGpu device;
    final RecordingSink sink = new RecordingSink();
    final RegionGuestMemory memory;
    final GpuDriver driver;

    private InProcessGpu(Map<String, Object> rutabaga) throws Exception {
        tracking = new TrackingProvider(RutabagaBackendProvider.configured(rutabaga));
        device = VirtioGpu.create(DeviceConfig.defaults().withHostmem(HOSTMEM), tracking);
        device.addSink(sink);
        device.provideSharedMemory(List.of(window));
        memory = GuestMemories.direct(RAM, RAM_SIZE);
        driver = GpuDriver.start(device, memory, new GuestAllocator(RAM, RAM_SIZE), GpuDriver.Options.defaults());
    }

    /**
     * A device with rutabaga settings {@code rutabaga} ({@code library_path} added); skipped, with
     * the reason, when {@code NEEP_RUTABAGA_LIBRARY} is not set.
     */
    static InProcessGpu start(Map<String, Object> rutabaga) throws Exception {
        Map<String, Object> settings = new HashMap<>(rutabaga);
        settings.put("library_path", assumeLibrary());
        return new InProcessGpu(settings);
    }

    /** The library's path; skips the calling test, saying why, when {@code NEEP_RUTABAGA_LIBRARY} is not set. */
    static String assumeLibrary() {
        String path = System.getenv(RutabagaNative.LIBRARY_ENV);
        Assume.assumeTrue(RutabagaBackendLibraryTest.NOT_SET, path != null);
        return path;
    }

    /** Cross-domain the only capset, its channel to {@code waylandSocket}. */
    static InProcessGpu crossDomain(String waylandSocket) throws Exception {
        return start(Map.of("capset_names", "cross-domain", RutabagaSettings.WAYLAND_SOCKET_PATH, waylandSocket));
    }

    /** Closes the device, then the compositor it talked to; either may be null (a test skipped early). */
    static void closeBoth(InProcessGpu gpu, Weston weston) {
        try {
            if (gpu != null) {
                gpu.close();
            }
        } finally {
            if (weston != null) {
                weston.close();
            }
        }
    }

    @Override
    public void close() {
        try {
            driver.close();
        } finally {
            device.close();
        }
    }
}
