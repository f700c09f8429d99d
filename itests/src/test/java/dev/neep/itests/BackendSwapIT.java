package dev.neep.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

import dev.neep.gpu.api.GpuBackendProvider;
import dev.neep.gpu.device.GpuDeviceInfo;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.GpuEvents;
import dev.neep.gpu.protocol.GpuFeatures;
import dev.neep.gpu.protocol.ResourceCreate3d;
import dev.neep.runtime.status.RuntimeReport.Status;
import dev.neep.testkit.GpuDriver;
import dev.neep.testkit.TestPattern;
import dev.neep.virtio.GuestMemories;
import dev.neep.virtio.RegionGuestMemory;
import dev.neep.virtio.VirtioDevice;
import dev.neep.virtio.driver.GuestAllocator;

/**
 * Swapping the backend by configuration while the device runs: 2D, virgl, 2D again, with a
 * guest driver attached throughout. Each swap releases everything the guest had, tells it
 * with a configuration-change interrupt and a new {@code num_capsets}, and keeps the same
 * device service, so a transport bound to it stays bound; the PNG sink keeps showing what
 * the guest draws next. Skipped, with the reason, where libvirglrenderer is not installed.
 */
@RunWith(VirglPaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class BackendSwapIT extends NeepTestSupport {

    private static final String PNG_PID = "dev.neep.display.png";
    private static final long BASE = 0x100000;
    private static final int MEMORY = 16 << 20;
    private static final int W = 320;
    private static final int H = 200;

    private Path pngDirectory;
    private GpuDeviceInfo info;
    private RegionGuestMemory memory;
    private GuestAllocator allocator;

    @Before
    public void deviceOn2dWithThePngSink() throws IOException {
        VirglIT.requireVirglLoaded(VirglIT.bundle(context, "dev.neep.backend-virgl"));
        awaitService(GpuBackendProvider.class, "(neep.backend=virgl)");
        pngDirectory = Files.createTempDirectory("neep-swap-it");
        configure(PNG_PID, Map.of("directory", pngDirectory.toString(), "min_interval_ms", 0L));
        awaitConfigured("dev.neep.display.png.internal.PngDisplayComponent",
                Map.of("directory", pngDirectory.toString()));
        configure(DEVICE_PID, Map.of("backend", "2d"));
        awaitConfigured(DEVICE_COMPONENT, Map.of("backend.target", "(neep.backend=2d)"));
        awaitComponent(DEVICE_COMPONENT, Status.ACTIVE);
        info = awaitService(GpuDeviceInfo.class, null);
        awaitBackend("2d");
        memory = GuestMemories.direct(BASE, MEMORY);
        allocator = new GuestAllocator(BASE, MEMORY);
    }

    @After
    public void removeTheDirectory() throws IOException {
        if (pngDirectory == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(pngDirectory)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    public void swaps2dToVirglTo2dWhileTheDeviceRunsReleasingEverythingEachTime() throws Exception {
        long deviceService = deviceServiceId();
        GpuDriver driver = GpuDriver.start(device(), memory, allocator, GpuDriver.Options.defaults());
        try {
            assertFalse(driver.hasGpuFeature(GpuFeatures.VIRGL));
            drawAndSeeThePattern(driver);
            assertEquals(1, info.resourceCount());
            assertTrue(info.hostMemoryUsed() > 0);

            // 2D -> virgl
            swapTo("virgl", driver, 2);
            assertEquals("the device service was registered again", deviceService, deviceServiceId());
            driver = renegotiate(driver);
            assertTrue(driver.hasGpuFeature(GpuFeatures.VIRGL));
            drawAndSeeThePattern(driver); // the console's 2D path, on virglrenderer
            int ctx = driver.newContextId();
            int res = driver.newResourceId();
            assertEquals(CtrlType.RESP_OK_NODATA, driver.ctxCreate(ctx, 0, "BackendSwapIT").type());
            assertEquals(CtrlType.RESP_OK_NODATA, driver.command(new ResourceCreate3d(
                    driver.header(CtrlType.CMD_RESOURCE_CREATE_3D, 0), res, 2, Formats.B8G8R8X8_UNORM, 1 << 1, 64, 64,
                    1, 1, 0, 0, 0)).type());
            assertEquals(CtrlType.RESP_OK_NODATA, driver.ctxAttachResource(ctx, res).type());
            assertEquals(1, info.contextCount());
            assertEquals(2, info.resourceCount());

            // virgl -> 2D, with a native context and 3D resource alive
            swapTo("2d", driver, 0);
            assertEquals("the device service was registered again", deviceService, deviceServiceId());
            // the renderer was cleaned up on its owner thread, which then ended
            await("no virgl owner thread left", () -> Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getName().startsWith("neep-virgl-owner")) ? Optional.of(true) : Optional.empty());
            // the guest negotiated VIRGL, which the 2D backend lacks: refused at the door until it resets
            assertEquals(CtrlType.RESP_ERR_UNSPEC, driver.ctxCreate(driver.newContextId(), 0, "late").type());
            driver = renegotiate(driver);
            assertFalse(driver.hasGpuFeature(GpuFeatures.VIRGL));
            drawAndSeeThePattern(driver);
        } finally {
            driver.close();
        }
    }

    /** Configures {@code kind} and waits until the running device and its guest driver have seen the swap. */
    private void swapTo(String kind, GpuDriver driver, int capsets) throws IOException {
        int interrupts = driver.configInterrupts();
        driver.clearEvents(GpuEvents.EVENT_DISPLAY);
        configure(DEVICE_PID, Map.of("backend", kind));
        awaitBackend(kind);
        driver.awaitConfigInterrupts(interrupts + 1);
        assertEquals(GpuEvents.EVENT_DISPLAY, driver.config().eventsRead() & GpuEvents.EVENT_DISPLAY);
        assertEquals(capsets, driver.config().numCapsets());
        assertTrue("the swap reset the device", info.active());
        assertEquals(0, info.resourceCount());
        assertEquals(0, info.contextCount());
        assertEquals(0, info.hostMemoryUsed());
        assertEquals(0, info.parkedFences());
        assertEquals(Status.ACTIVE, report().component(DEVICE_COMPONENT).get(0).status());
    }

    /** What Linux does when it reloads the driver: reset, then negotiate the device's features anew. */
    private GpuDriver renegotiate(GpuDriver driver) {
        driver.close();
        return GpuDriver.start(device(), memory, allocator, GpuDriver.Options.defaults());
    }

    private void drawAndSeeThePattern(GpuDriver driver) throws IOException {
        Path png = pngDirectory.resolve("scanout-0.png");
        Files.deleteIfExists(png);
        driver.drawPattern(W, H);
        await("scanout-0.png showing the " + W + "x" + H + " test pattern", () -> samePattern(png));
    }

    private static Optional<Boolean> samePattern(Path png) {
        if (!Files.isRegularFile(png)) {
            return Optional.empty();
        }
        try {
            BufferedImage image = ImageIO.read(png.toFile());
            if (image == null || image.getWidth() != W || image.getHeight() != H) {
                return Optional.empty();
            }
            int[] argb = image.getRGB(0, 0, W, H, null, 0, W);
            return TestPattern.compare(argb, W, W, H).isEmpty() ? Optional.of(true) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // being replaced right now
        }
    }

    private void awaitBackend(String kind) {
        await("backend " + kind + " open", () -> Optional.of(info.backendKind()).filter(kind::equals));
    }

    private VirtioDevice device() {
        return awaitService(VirtioDevice.class, DEVICE_FILTER);
    }

    private long deviceServiceId() throws InvalidSyntaxException {
        Collection<ServiceReference<VirtioDevice>> refs = context.getServiceReferences(VirtioDevice.class,
                DEVICE_FILTER);
        assertEquals(1, refs.size());
        long id = (Long) refs.iterator().next().getProperty("service.id");
        assertNotEquals(0, id);
        return id;
    }
}
