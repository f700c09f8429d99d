package dev.neep.itests;

import static dev.neep.itests.HostVisiblePciGuest.ok;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;

import org.junit.After;
import org.junit.Assume;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import dev.neep.gpu.api.GpuBackendProvider;
import dev.neep.gpu.protocol.Blobs;
import dev.neep.gpu.protocol.CapsetIds;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.testkit.Backing;
import dev.neep.testkit.GpuDriver;
import dev.neep.virtio.pci.driver.VirtioPciDriver;

/**
 * A cross-domain host blob on the rutabaga backend in Felix, against the real library named by
 * {@code NEEP_RUTABAGA_LIBRARY} (skipped, with the reason, when it is not set), shown to the
 * guest through the PCI function's host-visible region as {@link VirglHostBlobIT} does on virgl:
 * the guest asks cross-domain for an image (CROSS_DOMAIN_CMD_INIT, GET_IMAGE_REQUIREMENTS on its
 * query ring), makes the host blob it names, maps it, writes it through the BAR, maps it again
 * elsewhere and reads the same bytes back: they live in the blob, not in the BAR. Nothing is left.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RutabagaHostBlobIT extends NeepTestSupport {

    private static final String LIBRARY_ENV = "NEEP_RUTABAGA_LIBRARY";
    private static final String RUTABAGA_PID = "dev.neep.backend.rutabaga";
    private static final long HOSTMEM = HostVisiblePciGuest.HOSTMEM;
    private static final int DRM_FORMAT_XRGB8888 = 0x34325258;

    private HostVisiblePciGuest guest;

    @Before
    public void rutabagaBehindPciWithAHostVisibleRegion() throws Exception {
        String library = System.getenv(LIBRARY_ENV);
        Assume.assumeTrue(LIBRARY_ENV + " is not set: no librutabaga_gfx_ffi to test against", library != null);
        configure(RUTABAGA_PID, Map.of("library_path", library, "capset_names", "cross-domain"));
        awaitService(GpuBackendProvider.class, "(neep.backend=rutabaga)");
        guest = new HostVisiblePciGuest(this, "rutabaga");
    }

    @After
    public void unplug() {
        if (guest != null) {
            guest.close();
        }
    }

    /** A cross-domain command: its header (u8 cmd, u8 ring_idx, u16 cmd_size, u32 pad) and u32 fields. */
    private static ByteBuffer crossDomain(int cmd, int... fields) {
        ByteBuffer b = ByteBuffer.allocate(8 + 4 * fields.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) cmd).put((byte) 0).putShort((short) b.capacity()).putInt(0);
        for (int f : fields) {
            b.putInt(f);
        }
        return b.flip();
    }

    @Test
    public void aCrossDomainHostBlobMappedThroughTheBarKeepsItsBytesAndLeavesNothingBehind() {
        GpuDriver driver = guest.driver;
        VirtioPciDriver pci = guest.pci;
        int ctx = driver.newContextId();
        int ring = driver.newResourceId();
        int image = driver.newResourceId();
        ok(driver.ctxCreate(ctx, CapsetIds.CROSS_DOMAIN, "RutabagaHostBlobIT"));
        // the query ring: a guest blob made outside the context, then attached to it
        Backing queryRing = driver.allocateBacking(4096);
        ok(driver.createBlob(0, ring, Blobs.BLOB_MEM_GUEST, Blobs.BLOB_FLAG_USE_MAPPABLE, 0, 4096, queryRing));
        ok(driver.ctxAttachResource(ctx, ring));
        ok(driver.submit3dFenced(ctx, 0, crossDomain(1, ring, 0, 0)).await().hdr());
        ok(driver.submit3dFenced(ctx, 0, crossDomain(2, 64, 64, DRM_FORMAT_XRGB8888, 0)).await().hdr());
        ByteBuffer answer = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        queryRing.read(0, answer);
        long size = answer.getLong(40);
        int blobId = answer.getInt(48);
        assertTrue("image size " + size, size >= 64 * 64 * 4 && size <= HOSTMEM / 2);

        ok(driver.createBlob(ctx, image, Blobs.BLOB_MEM_HOST3D,
                Blobs.BLOB_FLAG_USE_MAPPABLE | Blobs.BLOB_FLAG_USE_SHAREABLE, blobId, size, null));
        assertEquals("rutabaga's access bits are masked off", Blobs.MAP_CACHE_CACHED,
                driver.mapBlob(image, 0).mapInfo());
        byte[] pattern = new byte[4096];
        for (int i = 0; i < pattern.length; i++) {
            pattern[i] = (byte) (i * 11 + 3);
        }
        pci.writeSharedMemory(Blobs.SHM_ID_HOST_VISIBLE, 0, pattern);
        ok(driver.unmapBlob(image));
        long elsewhere = HOSTMEM / 2;
        driver.mapBlob(image, elsewhere);
        assertArrayEquals(pattern, pci.readSharedMemory(Blobs.SHM_ID_HOST_VISIBLE, elsewhere, pattern.length));

        ok(driver.resourceUnref(image)); // unmapped first
        ok(driver.ctxDetachResource(ctx, ring));
        ok(driver.resourceUnref(ring));
        ok(driver.ctxDestroy(ctx));
        guest.assertNothingLeft();
    }
}
