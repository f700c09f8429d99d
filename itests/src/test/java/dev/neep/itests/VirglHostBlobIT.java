package dev.neep.itests;

import static dev.neep.itests.HostVisiblePciGuest.ok;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

import java.nio.ByteBuffer;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import dev.neep.gpu.api.GpuBackendProvider;
import dev.neep.gpu.protocol.Blobs;
import dev.neep.gpu.protocol.Box;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.ResourceCreate3d;
import dev.neep.gpu.protocol.TransferHost3d;
import dev.neep.testkit.Backing;
import dev.neep.testkit.GpuDriver;
import dev.neep.virgl.stream.VirglCommandStream;
import dev.neep.virtio.pci.driver.VirtioPciDriver;

/**
 * A host blob on the virgl backend in Felix, shown to the guest through the PCI function's
 * host-visible region: the VMM registers its guest memory and a {@code JavaSharedMemoryBar},
 * virtio-gpu-pci puts the device's {@code hostmem} region in BAR 2, and the testkit drives it as a
 * guest: a real command stream makes a persistent, coherent buffer, RESOURCE_CREATE_BLOB claims
 * it, RESOURCE_MAP_BLOB maps it, and its bytes are checked to the byte both ways, through the BAR,
 * against what the renderer copies in and out. Then nothing is left: no mapping in the device, the
 * BAR or the renderer, no resource. Skipped, with the reason, where libvirglrenderer is not
 * installed.
 */
@RunWith(VirglPaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class VirglHostBlobIT extends NeepTestSupport {

    private static final String VIRGL_BUNDLE = "dev.neep.backend-virgl";
    private static final long HOSTMEM = HostVisiblePciGuest.HOSTMEM;
    private static final int SIZE = 8192;
    private static final int BLOB_ID = 3;
    private static final int PIPE_BUFFER = 0;
    private static final int R8_UNORM = 64;
    private static final int BIND_VERTEX_BUFFER = 1 << 4;
    private static final int PERSISTENT_COHERENT = VirglCommandStream.RESOURCE_FLAG_MAP_PERSISTENT
            | VirglCommandStream.RESOURCE_FLAG_MAP_COHERENT;

    private HostVisiblePciGuest guest;

    @Before
    public void virglBehindPciWithAHostVisibleRegion() throws Exception {
        VirglIT.requireVirglLoaded(VirglIT.bundle(context, VIRGL_BUNDLE));
        awaitService(GpuBackendProvider.class, "(neep.backend=virgl)");
        guest = new HostVisiblePciGuest(this, "virgl");
    }

    @After
    public void unplug() {
        if (guest != null) {
            guest.close();
        }
    }

    private static byte[] pattern(int seed) {
        byte[] b = new byte[SIZE];
        for (int i = 0; i < SIZE; i++) {
            b[i] = (byte) (i * 7 + seed);
        }
        return b;
    }

    private TransferHost3d wholeBuffer(int type, int ctx, int res) {
        return new TransferHost3d(guest.driver.header(type, ctx), new Box(0, 0, 0, SIZE, 1, 1), 0, res, 0, 0, 0);
    }

    @Test
    public void aHostBlobMappedThroughTheBarIsExactToTheByteBothWaysAndLeavesNothingBehind() {
        GpuDriver driver = guest.driver;
        VirtioPciDriver pci = guest.pci;
        assertEquals(HOSTMEM, pci.sharedMemoryRegion(Blobs.SHM_ID_HOST_VISIBLE).orElseThrow().length());
        int ctx = driver.newContextId();
        int staging = driver.newResourceId();
        int blob = driver.newResourceId();
        ok(driver.ctxCreate(ctx, 0, "VirglHostBlobIT"));
        ok(driver.command(new ResourceCreate3d(driver.header(CtrlType.CMD_RESOURCE_CREATE_3D, 0), staging,
                PIPE_BUFFER, R8_UNORM, BIND_VERTEX_BUFFER, SIZE, 1, 1, 1, 0, 0, 0)));
        Backing backing = driver.allocateBacking(SIZE);
        ok(driver.attachBacking(staging, backing));
        ok(driver.ctxAttachResource(ctx, staging));
        ok(driver.submit3d(ctx, new VirglCommandStream().pipeBufferCreate(SIZE, PERSISTENT_COHERENT, BLOB_ID)
                .toByteBuffer()));
        ok(driver.createBlob(ctx, blob, Blobs.BLOB_MEM_HOST3D, Blobs.BLOB_FLAG_USE_MAPPABLE, BLOB_ID, SIZE, null));
        ok(driver.ctxAttachResource(ctx, blob));

        // the renderer writes, the guest reads through the BAR
        backing.write(0, ByteBuffer.wrap(pattern(1)));
        ok(driver.command(wholeBuffer(CtrlType.CMD_TRANSFER_TO_HOST_3D, ctx, staging)));
        ok(driver.submit3dFenced(ctx, -1, new VirglCommandStream().copyBufferRegion(blob, 0, staging, 0, SIZE)
                .toByteBuffer()).await().hdr());
        assertEquals(Blobs.MAP_CACHE_CACHED, driver.mapBlob(blob, 0).mapInfo());
        assertEquals(SIZE, guest.info.hostVisibleRegionUsed());
        assertArrayEquals(pattern(1), pci.readSharedMemory(Blobs.SHM_ID_HOST_VISIBLE, 0, SIZE));

        // the guest writes through the BAR, the renderer reads (after the unmap: virgl refuses
        // transfers of a mapped buffer)
        pci.writeSharedMemory(Blobs.SHM_ID_HOST_VISIBLE, 0, pattern(2));
        ok(driver.unmapBlob(blob));
        ok(driver.submit3dFenced(ctx, -1, new VirglCommandStream().copyBufferRegion(staging, 0, blob, 0, SIZE)
                .toByteBuffer()).await().hdr());
        ok(driver.command(wholeBuffer(CtrlType.CMD_TRANSFER_FROM_HOST_3D, ctx, staging)));
        ByteBuffer back = ByteBuffer.allocate(SIZE);
        backing.read(0, back);
        assertArrayEquals(pattern(2), back.array());
        assertArrayEquals("unmapped: the BAR shows nothing there", new byte[16],
                pci.readSharedMemory(Blobs.SHM_ID_HOST_VISIBLE, 0, 16));

        // mapped again and unreferenced while mapped: unmapped first, nothing left anywhere
        driver.mapBlob(blob, 4096 * 4);
        assertEquals(1, guest.bar.mappings());
        ok(driver.resourceUnref(blob));
        ok(driver.resourceUnref(staging));
        ok(driver.ctxDestroy(ctx));
        guest.assertNothingLeft();
    }
}
