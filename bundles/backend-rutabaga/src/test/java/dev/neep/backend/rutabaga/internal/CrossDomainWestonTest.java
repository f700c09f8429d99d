package dev.neep.backend.rutabaga.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.neep.gpu.protocol.Blobs;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.testkit.crossdomain.CrossDomainClient;
import dev.neep.testkit.crossdomain.CrossDomainCommand.GetImageRequirements;
import dev.neep.testkit.crossdomain.ImageRequirements;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
     * The whole flow but the pixels: with no host-visible mapping yet, the guest cannot fill the
     * buffer, so it holds zeros; the screenshot then shows black where weston's desktop (a grey
     * background and a panel) would be, which only the fullscreen buffer can have put there.
     */
    @Test
    public void aCommittedBufferFillsTheScreen() throws Exception {
        try (CrossDomainClient client = CrossDomainClient.connect(gpu.driver)) {
            WaylandSession wayland = new WaylandSession(client);
            wayland.registry();
            int surface = wayland.fullscreenSurface();
            ImageRequirements reqs = requirements(client);
            int blob = hostBlob(client, reqs);
            int buffer = wayland.buffer(blob, (int) reqs.size(), W, H, reqs.strides().get(0));

            wayland.show(surface, buffer, W, H);

            BufferedImage shot = weston.screenshot();
            assertEquals(W, shot.getWidth());
            assertEquals(H, shot.getHeight());
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    assertEquals("pixel " + x + "," + y, 0, shot.getRGB(x, y) & 0xffffff);
                }
            }
        }
    }

    @Test
    public void disconnectingReleasesContextsBlobsAndDescriptors() throws Exception {
        long fdsBefore = openDescriptors();
        CrossDomainClient client = CrossDomainClient.connect(gpu.driver);
        WaylandSession wayland = new WaylandSession(client);
        wayland.registry();
        ImageRequirements reqs = requirements(client);
        int blob = hostBlob(client, reqs);
        wayland.buffer(blob, (int) reqs.size(), W, H, reqs.strides().get(0));
        assertTrue("the connection and the blob's memory are open", openDescriptors() > fdsBefore);

        client.close();
        assertEquals(CtrlType.RESP_OK_NODATA, gpu.driver.resourceUnref(blob).type());

        assertEquals(0, gpu.tracking.liveContexts());
        assertEquals(0, gpu.tracking.liveResources());
        assertEquals(fdsBefore, openDescriptors());
        assertTrue("weston is still serving", weston.isAlive());
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
