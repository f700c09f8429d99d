package dev.neep.vhostuser.gpu.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import dev.neep.backend.rutabaga.internal.RutabagaBackendProvider;
import dev.neep.backend.virgl.internal.VirglBackendProvider;
import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.api.GpuBackendProvider;
import dev.neep.gpu.device.DeviceConfig;
import dev.neep.gpu.device.VirtioGpu;
import dev.neep.gpu.protocol.Blobs;
import dev.neep.gpu.protocol.GpuFeatures;
import dev.neep.gpu.protocol.RespMapInfo;
import dev.neep.testkit.GpuCommandException;
import dev.neep.testkit.GpuDriver;
import dev.neep.vhostuser.frontend.FrontEnd;
import dev.neep.vhostuser.frontend.FrontEndSharedMemory;
import dev.neep.vhostuser.protocol.ProtocolFeatures;
import dev.neep.vhostuser.sys.Posix;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Host-visible blobs over vhost-user, with the project's own front end that speaks the shared
 * memory messages ({@link FrontEndSharedMemory}: QEMU 10 does not).
 *
 * <ul>
 *   <li>rutabaga's cross-domain host blobs are memfds: the device maps one at the offset the
 *       guest asked, the front end maps the descriptor it receives, and the renderer's memory
 *       and the guest-visible window show the same bytes both ways;</li>
 *   <li>a front end without SHMEM gets no host-visible region, so no host blob maps; guest blobs
 *       still work;</li>
 *   <li>virglrenderer's blobs (llvmpipe) have no descriptor, so over vhost-user the device asks
 *       for no region, SHMEM is not offered, and the guest's transfers work as before.</li>
 * </ul>
 *
 * The rutabaga tests run when {@code NEEP_RUTABAGA_LIBRARY} names the library (cross-domain is
 * in every build of it), the virgl one where libvirglrenderer is installed; each is skipped with
 * the reason otherwise.
 */
public class HostBlobsOverVhostUserTest {

    private static final int W = 64;
    private static final int H = 64;
    private static final long RAM = 8 << 20;
    private static final long HOSTMEM = 16 << 20;
    /** Contexts need VIRGL (the 3D commands) and CONTEXT_INIT (a cross-domain one), blobs RESOURCE_BLOB. */
    private static final long BLOB_FEATURES = GpuFeatures.mask(GpuFeatures.VIRGL)
            | GpuFeatures.mask(GpuFeatures.RESOURCE_BLOB) | GpuFeatures.mask(GpuFeatures.CONTEXT_INIT);
    private static final long MAP_OFFSET = 1 << 20;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private VirtioGpu device;
    private TappedRegions tapped;
    private ServedGpu served;

    private void serve(GpuBackendProvider provider) throws Exception {
        assumeTrue("native access: " + Posix.unavailableReason(), Posix.unavailableReason() == null);
        device = VirtioGpu.create(new DeviceConfig(1, W, H, false, DeviceConfig.DEFAULT_MAX_HOSTMEM, HOSTMEM));
        try {
            device.useProvider(provider);
        } catch (GpuBackendException e) {
            String message = String.valueOf(e.getMessage());
            assumeTrue(message, !message.contains("not available") && !message.contains("feature not enabled"));
            throw e;
        }
        tapped = new TappedRegions(device);
        served = ServedGpu.serve(tmp.getRoot().toPath(), device, tapped);
    }

    private void serveRutabagaCrossDomain() throws Exception {
        assumeTrue(TenFrontEndsRutabaga2dTest.LIBRARY_ENV + " is not set: no librutabaga_gfx_ffi to test against",
                System.getenv(TenFrontEndsRutabaga2dTest.LIBRARY_ENV) != null);
        serve(RutabagaBackendProvider.configured(Map.of("cross-domain", "on")));
    }

    @After
    public void stop() {
        ServedGpu.close(served, device);
        if (tapped != null) {
            tapped.close();
        }
    }

    @Test
    public void crossDomainBlobBytesAreTheSameForTheRendererAndTheFrontEndBothWays() throws Exception {
        serveRutabagaCrossDomain();
        try (RemoteGpu gpu = new RemoteGpu(new FrontEnd(served.socket, RAM), W, H);
                FrontEndSharedMemory shm = FrontEndSharedMemory.attach(gpu.peer)) {
            assertEquals("the host-visible region, as GET_SHMEM_CONFIG tells it", HOSTMEM,
                    shm.config().size(Blobs.SHM_ID_HOST_VISIBLE));
            GpuDriver driver = gpu.startDriver(BLOB_FEATURES);
            CrossDomain cd = new CrossDomain(driver);
            CrossDomain.ImageRequirements image = cd.imageRequirements(W, H);
            assertTrue("an image of " + W + "x" + H + " needs at least " + W * H * 4 + " bytes", image.size() >= W * H * 4);

            int blob = driver.newResourceId();
            CrossDomain.ok(driver.createBlob(cd.ctxId, blob, Blobs.BLOB_MEM_HOST3D,
                    Blobs.BLOB_FLAG_USE_MAPPABLE | Blobs.BLOB_FLAG_USE_SHAREABLE, image.blobId(), image.size(), null));
            RespMapInfo info = driver.mapBlob(blob, MAP_OFFSET);
            assertEquals("cached, without rutabaga's access bits", Blobs.MAP_CACHE_CACHED, info.mapInfo());
            assertEquals(1, shm.mappings(Blobs.SHM_ID_HOST_VISIBLE).size());

            int size = (int) image.size();
            ByteBuffer renderer = tapped.hostView(MAP_OFFSET, size);
            ByteBuffer guest = shm.view(Blobs.SHM_ID_HOST_VISIBLE, MAP_OFFSET, size);
            for (int i = 0; i < size; i += 4) {
                renderer.putInt(i, 0x7e000000 ^ i);
            }
            for (int i = 0; i < size; i += 4) {
                assertEquals("guest-visible word " + i, 0x7e000000 ^ i, guest.getInt(i));
            }
            for (int i = 0; i < size; i += 4) {
                guest.putInt(i, ~i);
            }
            for (int i = 0; i < size; i += 4) {
                assertEquals("renderer's word " + i, ~i, renderer.getInt(i));
            }

            CrossDomain.ok(driver.unmapBlob(blob));
            assertEquals(List.of(), shm.mappings(Blobs.SHM_ID_HOST_VISIBLE));
            CrossDomain.ok(driver.resourceUnref(blob));
            assertNull(shm.failure());
        }
    }

    @Test
    public void aFrontEndThatLeavesWithABlobMappedLeavesNothingMapped() throws Exception {
        serveRutabagaCrossDomain();
        RemoteGpu gpu = new RemoteGpu(new FrontEnd(served.socket, RAM), W, H);
        try (FrontEndSharedMemory shm = FrontEndSharedMemory.attach(gpu.peer)) {
            GpuDriver driver = gpu.startDriver(BLOB_FEATURES);
            CrossDomain cd = new CrossDomain(driver);
            CrossDomain.ImageRequirements image = cd.imageRequirements(W, H);
            int blob = driver.newResourceId();
            CrossDomain.ok(driver.createBlob(cd.ctxId, blob, Blobs.BLOB_MEM_HOST3D,
                    Blobs.BLOB_FLAG_USE_MAPPABLE | Blobs.BLOB_FLAG_USE_SHAREABLE, image.blobId(), image.size(), null));
            driver.mapBlob(blob, 0);
            assertEquals(1, device.hostVisibleMappings());
            gpu.peer.dropConnection();
            long end = System.currentTimeMillis() + 5000;
            while ((device.active() || device.resourceCount() != 0) && System.currentTimeMillis() < end) {
                Thread.sleep(10);
            }
            assertEquals("every resource released with the front end", 0, device.resourceCount());
            assertEquals("nothing mapped", 0, device.hostVisibleMappings());
            assertEquals("and no region until the next front end", 0, device.hostVisibleRegionSize());
            assertEquals("only the map went out: the front end's mappings left with it", 1, shm.requests().size());
        } finally {
            gpu.close();
        }
    }

    @Test
    public void frontEndWithoutShmemGetsNoHostBlobsButGuestBlobsWork() throws Exception {
        serveRutabagaCrossDomain();
        try (RemoteGpu gpu = new RemoteGpu(new FrontEnd(served.socket, RAM), W, H,
                ProtocolFeatures.OFFERED & ~ProtocolFeatures.bit(ProtocolFeatures.SHMEM))) {
            GpuDriver driver = gpu.startDriver(BLOB_FEATURES);
            assertEquals("no region handed to the device", List.of(), tapped.provided);
            CrossDomain cd = new CrossDomain(driver); // its query ring is a guest blob: those work
            CrossDomain.ImageRequirements image = cd.imageRequirements(W, H);
            int blob = driver.newResourceId();
            CrossDomain.ok(driver.createBlob(cd.ctxId, blob, Blobs.BLOB_MEM_HOST3D,
                    Blobs.BLOB_FLAG_USE_MAPPABLE | Blobs.BLOB_FLAG_USE_SHAREABLE, image.blobId(), image.size(), null));
            GpuCommandException refused = assertThrows("no host-visible region to map into",
                    GpuCommandException.class, () -> driver.mapBlob(blob, 0));
            assertFalse("the blob exists: " + refused.getMessage(), refused.getMessage().contains("INVALID_RESOURCE_ID"));
        }
    }

    @Test
    public void virglOffersNoHostBlobsOverVhostUserAndTransfersStillWork() throws Exception {
        serve(VirglBackendProvider.configured(Map.of()));
        try (RemoteGpu gpu = new RemoteGpu(new FrontEnd(served.socket, RAM), W, H);
                FrontEndSharedMemory shm = FrontEndSharedMemory.attach(gpu.peer)) {
            assertFalse("SHMEM is not offered: the device wants no region it could not fill",
                    ProtocolFeatures.has(gpu.peer.protocolFeatures(), ProtocolFeatures.SHMEM));
            assertEquals(0, shm.config().regions());
            GpuDriver driver = gpu.startDriver(GpuFeatures.mask(GpuFeatures.EDID) | BLOB_FEATURES);
            assertEquals(List.of(), tapped.provided);
            driver.drawPattern(W, H);
            gpu.display.awaitPattern(W, H);
        }
    }
}
