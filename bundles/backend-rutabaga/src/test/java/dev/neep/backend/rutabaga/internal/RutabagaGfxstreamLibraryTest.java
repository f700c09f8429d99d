package dev.neep.backend.rutabaga.internal;

import static dev.neep.backend.rutabaga.internal.RutabagaBackendScenarios.bytes;
import static dev.neep.backend.rutabaga.internal.RutabagaBackendScenarios.direct;
import static dev.neep.backend.rutabaga.internal.RutabagaBackendScenarios.responseOf;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.neep.config.support.TypedConfiguration;
import dev.neep.gpu.api.BackendCapabilities;
import dev.neep.gpu.api.CapsetInfo;
import dev.neep.gpu.api.Fence;
import dev.neep.gpu.api.GpuBackend;
import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.api.Transfer;
import dev.neep.gpu.protocol.CapsetIds;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.Formats;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.management.ObjectName;
import org.junit.After;
import org.junit.Assume;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * gfxstream through the real librutabaga_gfx_ffi: runs when {@code NEEP_RUTABAGA_LIBRARY} names
 * a build with gfxstream (one whose {@code rutabaga_init} accepts the gfxstream-vulkan capset),
 * and is skipped with the reason otherwise. Measured with gfxstream on Mesa's lavapipe, no GPU.
 *
 * <p>gfxstream's renderer is process-wide and built once: this class has a JVM of its own
 * (Surefire's fork per class), the first open builds the renderer, and every test opens its
 * backend with {@code capset_names = gfxstream-vulkan} and gets that instance back, as a device
 * does after a reset of its provider. Each test leaves the instance empty (the backend's close
 * releases what the test made), which the next one relies on.
 */
public class RutabagaGfxstreamLibraryTest {

    private static final Map<String, String> GFXSTREAM = Map.of("capset_names", "gfxstream-vulkan");
    private static final int WIDTH = 64;
    private static final int HEIGHT = 32;
    private static final int STRIDE = WIDTH * 4;

    private static RutabagaGfxFfi library;
    /** Why the tests cannot run here, or null. */
    private static String skip;

    private final LinkedBlockingQueue<Fence> signalled = new LinkedBlockingQueue<>();
    private final List<GpuBackend> opened = new ArrayList<>();

    /** Builds the renderer once, or finds out why there is none. */
    @BeforeClass
    public static void buildGfxstreamOnce() throws Exception {
        String path = System.getenv(RutabagaNative.LIBRARY_ENV);
        if (path == null) {
            skip = RutabagaBackendLibraryTest.NOT_SET;
            return;
        }
        library = RutabagaNative.find("", Map.of(RutabagaNative.LIBRARY_ENV, path)).require();
        try {
            open(GFXSTREAM, f -> { }).close();
        } catch (GpuBackendException e) {
            if (!e.getMessage().contains("gfxstream feature not enabled")) {
                throw e;
            }
            skip = path + " was built without gfxstream (rutabaga_init refused gfxstream-vulkan: " + e.getMessage()
                    + "); point " + RutabagaNative.LIBRARY_ENV + " at a build with the gfxstream feature";
        }
    }

    @Before
    public void needsGfxstream() {
        Assume.assumeTrue(skip, skip == null);
    }

    @After
    public void closeBackends() {
        opened.forEach(GpuBackend::close);
    }

    private static GpuBackend open(Map<String, String> properties, dev.neep.gpu.api.FenceListener fences)
            throws GpuBackendException {
        return RutabagaBackend.open(library, RutabagaSettings.from(
                TypedConfiguration.read(RutabagaBackendConfig.class, new HashMap<>(properties)), Map.of()), fences);
    }

    private GpuBackend open() throws GpuBackendException {
        GpuBackend backend = open(GFXSTREAM, signalled::add);
        opened.add(backend);
        return backend;
    }

    private Fence awaitFence() throws InterruptedException {
        Fence f = signalled.poll(10, TimeUnit.SECONDS);
        if (f == null) {
            fail("no fence reported within 10 s");
        }
        return f;
    }

    @Test
    public void capsetInfoIsGfxstreamVulkanVersion0Of104Bytes() throws Exception {
        GpuBackend backend = open();
        assertEquals(List.of(new CapsetInfo(CapsetIds.GFXSTREAM_VULKAN, 0, 104)), backend.capsets());
        assertEquals(new BackendCapabilities(true, true, true, true, true), backend.capabilities());
    }

    /** gfxstream's {@code struct vulkanCapset}: 26 little-endian u32 (virtgpu_gfxstream_protocol.h). */
    @Test
    public void capsetBytesAreGfxstreamsVulkanCapset() throws Exception {
        GpuBackend backend = open();
        byte[] caps = backend.capset(CapsetIds.GFXSTREAM_VULKAN, 0);
        assertEquals(104, caps.length);
        ByteBuffer b = ByteBuffer.wrap(caps).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals("protocolVersion", 1, b.getInt(0));
        assertEquals("ringSize", 12288, b.getInt(4));
        assertEquals("bufferSize", 1048576, b.getInt(8));
        assertEquals("deferredMapping (Vulkan emulation on)", 1, b.getInt(16));
        assertEquals("blobAlignment (the page size)", 4096, b.getInt(20));
        assertEquals("noRenderControlEnc", 1, b.getInt(24));
        int formats = b.getInt(36); // virglSupportedFormats[0]: bit n for virgl format n
        assertTrue("B8G8R8A8_UNORM (virgl format 1) supported", (formats & (1 << 1)) != 0);
        assertTrue("B8G8R8X8_UNORM (virgl format 2) supported", (formats & (1 << 2)) != 0);
        assertEquals(CtrlType.RESP_ERR_INVALID_PARAMETER, responseOf(() -> backend.capset(CapsetIds.VIRGL, 1)));
    }

    @Test
    public void contextInit3CreatesAGfxstreamContext() throws Exception {
        GpuBackend backend = open();
        backend.contextCreate(1, CapsetIds.GFXSTREAM_VULKAN, "gfxstream-vulkan");
        assertEquals(CtrlType.RESP_ERR_INVALID_CONTEXT_ID,
                responseOf(() -> backend.contextCreate(1, CapsetIds.GFXSTREAM_VULKAN, "again")));
        assertEquals(CtrlType.RESP_ERR_INVALID_PARAMETER,
                responseOf(() -> backend.contextCreate(2, CapsetIds.CROSS_DOMAIN, "not offered")));
        backend.contextCreate(2, CapsetIds.GFXSTREAM_VULKAN, "second");
        backend.contextDestroy(1);
        assertEquals(CtrlType.RESP_ERR_INVALID_CONTEXT_ID, responseOf(() -> backend.contextDestroy(1)));
        backend.contextCreate(1, CapsetIds.GFXSTREAM_VULKAN, "again after destroy");
    }

    @Test
    public void fencesOnTheContextsRingsAreReportedOnTheirRings() throws Exception {
        GpuBackend backend = open();
        backend.contextCreate(3, CapsetIds.GFXSTREAM_VULKAN, "rings");
        for (int ring = 0; ring < 3; ring++) {
            Fence fence = new Fence(Fence.FLAG_FENCE | Fence.FLAG_INFO_RING_IDX, 100 + ring, 3, ring);
            backend.createFence(fence);
            assertSame("ring " + ring, fence, awaitFence());
        }
        // a global fence: gfxstream reports it with ctx_id 0, it is still the global timeline's
        Fence global = new Fence(Fence.FLAG_FENCE, 200, 3, 0);
        backend.createFence(global);
        assertSame(global, awaitFence());
        assertNull(signalled.poll(100, TimeUnit.MILLISECONDS));
        assertEquals(CtrlType.RESP_ERR_INVALID_CONTEXT_ID, responseOf(() -> backend.createFence(
                new Fence(Fence.FLAG_FENCE | Fence.FLAG_INFO_RING_IDX, 300, 4, 0))));
    }

    @Test
    public void twoDResourceThroughGfxstreamRoundTripsPixelExact() throws Exception {
        GpuBackend backend = open();
        backend.contextCreate(1, CapsetIds.GFXSTREAM_VULKAN, "2d");
        backend.resourceCreate2d(5, Formats.B8G8R8A8_UNORM, WIDTH, HEIGHT);
        ByteBuffer backing = direct(STRIDE * HEIGHT, 7);
        backend.attachBacking(5, List.of(backing));
        backend.contextAttachResource(1, 5);
        backend.transferWrite(0, 5, Transfer.of2d(0, 0, WIDTH, HEIGHT, 0));
        byte[] written = bytes(backing);
        assertArrayEquals("host to frame", written, bytes(backend.frame(5)));

        // A box, as a Linux guest sends it: it drew into the box of its linear image (the
        // backing) and sends the box, offset where the box starts. gfxstream copies the backing's
        // whole span from the box's first byte to its last, rows in between included, so only
        // the box may differ from what the host has (as it is in a guest's frame buffer).
        byte[] changed = bytes(direct(STRIDE * HEIGHT, 91));
        int x = 5;
        int y = 3;
        int w = 17;
        int h = 9;
        byte[] expected = written.clone();
        for (int row = y; row < y + h; row++) {
            System.arraycopy(changed, row * STRIDE + x * 4, expected, row * STRIDE + x * 4, w * 4);
            backing.put(row * STRIDE + x * 4, changed, row * STRIDE + x * 4, w * 4);
        }
        backend.transferWrite(0, 5, Transfer.of2d(x, y, w, h, (long) y * STRIDE + x * 4));
        assertArrayEquals("a box to the host", expected, bytes(backend.frame(5)));

        // host to guest (TRANSFER_FROM_HOST_3D), into the attached backing
        for (int i = 0; i < STRIDE * HEIGHT; i++) {
            backing.put(i, (byte) 0);
        }
        backend.transferRead(1, 5, new Transfer(0, 0, 0, WIDTH, HEIGHT, 1, 0, STRIDE, 0, 0));
        assertArrayEquals("host to guest", expected, bytes(backing));

        backend.contextDetachResource(1, 5);
        backend.detachBacking(5);
        backend.resourceUnref(5);
        assertEquals(CtrlType.RESP_ERR_INVALID_RESOURCE_ID, responseOf(() -> backend.frame(5)));
    }

    @Test
    public void theRendererIsBuiltOnceAndHandedToEachBackendWithTheSameSettings() throws Exception {
        ObjectName claim = new ObjectName(RutabagaInstances.CLAIM_NAME);
        for (int round = 0; round < 3; round++) {
            GpuBackend backend = open();
            assertEquals("in use", ManagementFactory.getPlatformMBeanServer().getAttribute(claim, "State"));
            backend.contextCreate(1, CapsetIds.GFXSTREAM_VULKAN, "round " + round);
            backend.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, WIDTH, HEIGHT);
            backend.contextAttachResource(1, 1);
            backend.close();
        }
        GpuBackend headless = open(Map.of("capset_names", "gfxstream-vulkan", "wsi", "headless"), f -> { });
        opened.add(headless);
        assertTrue(headless.headless());
        headless.close();
        assertFalse(open().headless());
    }

    @Test
    public void settingsThatNeedASecondGfxstreamAreRefusedNeverTried() throws Exception {
        try {
            open(Map.of("capset_names", "gfxstream-vulkan:cross-domain"), f -> { }).close();
            fail("a second gfxstream renderer was asked of the library");
        } catch (GpuBackendException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("restart neep"));
        }
        open().capsets();
    }
}
