package dev.neep.backend.rutabaga.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.neep.gpu.protocol.Blobs;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.testkit.crossdomain.CrossDomainClient;
import dev.neep.testkit.crossdomain.CrossDomainCommand.GetImageRequirements;
import dev.neep.testkit.crossdomain.ImageRequirements;
import dev.neep.gpu.protocol.RespMapInfo;
import dev.neep.testkit.TestPattern;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * A guest's Wayland client through cross-domain to a real compositor: the testkit's cross-domain
 * client, neep's device with the rutabaga backend over the real library, and weston on a
 * private runtime directory. Skipped, with the reason, without the library or weston.
 */
public class CrossDomainWestonTest {

    private static final int W = 320;
    private static final int H = 240;
    /** How long weston's output may take to settle after the frame callback (see {@link Weston#screenshotUntil}). */
    private static final Duration SETTLE = Duration.ofSeconds(10);

    private Weston weston;
    private InProcessGpu gpu;

    @Before
    public void start() throws Exception {
        InProcessGpu.assumeLibrary();
        weston = Weston.start(W, H);
        gpu = InProcessGpu.crossDomain(weston.socket().toString());
    }

    @After
    public void stop() {
        InProcessGpu.closeBoth(gpu, weston);
    }

    @Test
    public void theRegistryHoldsTheCompositorsGlobals() {
        try (CrossDomainClient client = CrossDomainClient.connect(gpu.driver)) {
            Map<String, Integer> globals = new WaylandSession(client).registry();

            assertTrue("globals " + globals.keySet(), globals.keySet().containsAll(List.of("wl_compositor", "wl_shm",
                    "xdg_wm_base", "wl_output", "weston_screenshooter")));
        }
    }

    @Test
    public void imageRequirementsGiveAHostBlobOfThatSize() {
        try (CrossDomainClient client = CrossDomainClient.connect(gpu.driver)) {
            ImageRequirements reqs = requirements(client);

            assertEquals(W * 4, (int) reqs.strides().get(0));
            assertEquals(0, (int) reqs.offsets().get(0));
            assertTrue("size " + reqs.size(), reqs.size() >= (long) W * H * 4);
            assertEquals("blob ids of image requirements are even", 0, reqs.blobId() % 2);
            int blob = hostBlob(client, reqs);
            assertEquals(CtrlType.RESP_OK_NODATA, gpu.driver.ctxDetachResource(client.ctxId(), blob).type());
            assertEquals(CtrlType.RESP_OK_NODATA, gpu.driver.resourceUnref(blob).type());
        }
    }

    /**
     * The flow of a guest's wl_shm client: a fullscreen toplevel; a HOST3D blob made from the
     * image requirements, mapped into the host-visible region and filled there with the test
     * pattern; a wl_shm pool on the blob's memfd, a buffer, attached, damaged, committed; then
     * weston's own screenshot of its output is the pattern, pixel for pixel.
     */
    @Test
    public void theCompositorShowsTheGuestsPatternPixelForPixel() throws Exception {
        try (CrossDomainClient client = CrossDomainClient.connect(gpu.driver)) {
            WaylandSession wayland = new WaylandSession(client);
            wayland.registry();
            int surface = wayland.fullscreenSurface();
            ImageRequirements reqs = requirements(client);
            int blob = hostBlob(client, reqs);
            RespMapInfo mapped = gpu.driver.mapBlob(blob, 0);
            assertEquals(Blobs.MAP_CACHE_CACHED, mapped.mapInfo());
            fillWithPattern(gpu.window.at(0), reqs.strides().get(0));
            int buffer = wayland.buffer(blob, (int) reqs.size(), W, H, reqs.strides().get(0));

            wayland.show(surface, buffer, W, H);

            BufferedImage shot = weston.screenshotUntil(i -> pattern(i).isEmpty(), SETTLE);
            assertEquals(W, shot.getWidth());
            assertEquals(H, shot.getHeight());
            assertEquals(Optional.empty(), pattern(shot));
            assertEquals(CtrlType.RESP_OK_NODATA, gpu.driver.unmapBlob(blob).type());
            assertEquals(0, gpu.window.live().size());
        }
    }

    /** The guest writing the pattern through its mapping, rows {@code stride} bytes apart, XRGB8888 little-endian. */
    private static void fillWithPattern(ByteBuffer mapping, int stride) {
        ByteBuffer m = mapping.order(ByteOrder.LITTLE_ENDIAN);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                m.putInt(y * stride + x * 4, TestPattern.xrgb(x, y, W, H));
            }
        }
    }

    @Test
    public void disconnectingReleasesContextsBlobsMappingsAndDescriptors() throws Exception {
        long fdsBefore = openDescriptors();
        CrossDomainClient client = CrossDomainClient.connect(gpu.driver);
        WaylandSession wayland = new WaylandSession(client);
        wayland.registry();
        ImageRequirements reqs = requirements(client);
        int blob = hostBlob(client, reqs);
        wayland.buffer(blob, (int) reqs.size(), W, H, reqs.strides().get(0));
        gpu.driver.mapBlob(blob, 0);
        assertEquals(1, gpu.window.live().size());
        assertTrue("the connection and the blob's memory are open", openDescriptors() > fdsBefore);

        // As a guest process that exits: its context goes, then its blob, still mapped.
        client.close();
        assertEquals(CtrlType.RESP_OK_NODATA, gpu.driver.resourceUnref(blob).type());

        assertEquals(0, gpu.tracking.liveContexts());
        assertEquals(0, gpu.tracking.liveResources());
        assertEquals(0, gpu.window.live().size());
        assertEquals(fdsBefore, openDescriptors());
        assertTrue("weston is still serving", weston.isAlive());
    }

    private static Optional<String> pattern(BufferedImage shot) {
        return TestPattern.compare(shot.getRGB(0, 0, W, H, null, 0, W), W, W, H);
    }

    private static ImageRequirements requirements(CrossDomainClient client) {
        return client.imageRequirements(W, H, GetImageRequirements.DRM_FORMAT_XRGB8888,
                GetImageRequirements.USE_LINEAR | GetImageRequirements.USE_SW_WRITE_OFTEN);
    }

    /** A HOST3D blob in the client's context made from {@code reqs}, attached to the context. */
    private int hostBlob(CrossDomainClient client, ImageRequirements reqs) {
        int blob = gpu.driver.newResourceId();
        CrossDomainClient.ok(gpu.driver.createBlob(client.ctxId(), blob, Blobs.BLOB_MEM_HOST3D,
                Blobs.BLOB_FLAG_USE_MAPPABLE | Blobs.BLOB_FLAG_USE_SHAREABLE, reqs.blobId(), reqs.size(), null),
                "RESOURCE_CREATE_BLOB (HOST3D) of image blob " + reqs.blobId());
        CrossDomainClient.ok(gpu.driver.ctxAttachResource(client.ctxId(), blob), "CTX_ATTACH_RESOURCE " + blob);
        return blob;
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
