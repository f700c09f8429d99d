package dev.neep.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;


import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.ServiceRegistration;

import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.api.Pixels;
import dev.neep.gpu.api.Scanout;
import dev.neep.gpu.api.ScanoutId;
import dev.neep.gpu.device.GpuDeviceInfo;
import dev.neep.gpu.protocol.Rect;
import dev.neep.testkit.GpuDriver;
import dev.neep.virtio.GuestMemories;
import dev.neep.virtio.RegionGuestMemory;
import dev.neep.virtio.VirtioDevice;
import dev.neep.virtio.driver.GuestAllocator;

/**
 * One device per guest: factory configurations {@code dev.neep.gpu~left},
 * {@code dev.neep.gpu~right} and {@code dev.neep.gpu~gpu} make three devices, each with its own
 * backend instance and driver. Each draws a test pattern of its own size, and the PNG sink, bound
 * to all of them, writes each device's picture to a file of its own, pixel for pixel; a sink
 * registered for one device only hears of that one.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class MultiDeviceIT extends NeepTestSupport {

    private static final long BASE = 0x100000;
    private static final int MEMORY = 8 << 20;

    private Path pngDirectory;
    private final Set<String> heardByLeftOnly = ConcurrentHashMap.newKeySet();
    private ServiceRegistration<DisplaySink> leftOnly;

    @Before
    public void twoMoreDevicesAndAFreshPngDirectory() throws IOException {
        pngDirectory = pngSinkInFreshDirectory("neep-multi-it");
        // Factory configurations only: SCR refuses them beside the single configuration
        // dev.neep.gpu. The first takes the place of the device that ran without any.
        configureFactory(DEVICE_PID, "left", Map.of("xres", 640, "yres", 480));
        configureFactory(DEVICE_PID, "right", Map.of("xres", 800, "yres", 600));
        configureFactory(DEVICE_PID, ScanoutId.DEFAULT_DEVICE, Map.of());
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(DisplaySink.DEVICE_PROPERTY, "left");
        leftOnly = context.registerService(DisplaySink.class, new DisplaySink() {
            @Override
            public void scanoutChanged(ScanoutId id, Scanout scanout) {
                heardByLeftOnly.add(id.device());
            }

            @Override
            public void frameUpdated(ScanoutId id, Rect dirty, Pixels pixels) {
                heardByLeftOnly.add(id.device());
            }
        }, props);
    }

    @After
    public void removeTheDirectory() throws IOException {
        leftOnly.unregister();
        deleteTree(pngDirectory);
    }

    @Test
    public void eachDeviceShowsItsOwnPicturePixelForPixel() {
        GpuDeviceInfo left = awaitService(GpuDeviceInfo.class, "(neep.device=left)");
        GpuDeviceInfo right = awaitService(GpuDeviceInfo.class, "(neep.device=right)");
        assertEquals("left", left.name());
        assertEquals("right", right.name());
        awaitService(GpuDeviceInfo.class, "(neep.device=" + ScanoutId.DEFAULT_DEVICE + ")");

        try (GpuDriver l = driver("left"); GpuDriver r = driver("right"); GpuDriver g = driver("gpu")) {
            l.drawPattern(320, 200);
            r.drawPattern(256, 160);
            g.drawPattern(128, 96);
            awaitPattern("left-scanout-0.png", 320, 200);
            awaitPattern("right-scanout-0.png", 256, 160);
            awaitPattern("scanout-0.png", 128, 96);
            await("the left-only sink told of left", () -> Optional.of(heardByLeftOnly).filter(s -> s.contains("left")));
            assertEquals(Set.of("left"), heardByLeftOnly);
            assertTrue("each device has its own resources", left.resourceCount() == 1 && right.resourceCount() == 1);
        }
    }

    private GpuDriver driver(String device) {
        VirtioDevice d = awaitService(VirtioDevice.class, "(&" + DEVICE_FILTER + "(neep.device=" + device + "))");
        RegionGuestMemory memory = GuestMemories.heap(BASE, MEMORY);
        return GpuDriver.start(d, memory, new GuestAllocator(BASE, MEMORY), GpuDriver.Options.defaults());
    }

    private void awaitPattern(String file, int w, int h) {
        awaitPatternPng(pngDirectory.resolve(file), w, h);
    }
}
