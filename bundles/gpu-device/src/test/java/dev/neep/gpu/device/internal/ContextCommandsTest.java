package dev.neep.gpu.device.internal;

import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_CONTEXT_ID;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_PARAMETER;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_RESOURCE_ID;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_OUT_OF_MEMORY;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_UNSPEC;
import static dev.neep.gpu.protocol.CtrlType.RESP_OK_NODATA;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.neep.gpu.api.Transfer;
import dev.neep.gpu.device.DeviceConfig;
import dev.neep.gpu.protocol.Blobs;
import dev.neep.gpu.protocol.Box;
import dev.neep.gpu.protocol.CtrlHdr;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.CtxCreate;
import dev.neep.gpu.protocol.GpuFeatures;
import dev.neep.gpu.protocol.ResourceCreate3d;
import dev.neep.gpu.protocol.ResourceCreateBlob;
import dev.neep.gpu.protocol.Submit3d;
import dev.neep.gpu.protocol.TransferHost3d;
import dev.neep.testkit.Backing;
import dev.neep.testkit.GpuDriver;
import java.nio.ByteBuffer;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** CTX_*, RESOURCE_CREATE_3D, TRANSFER_*_3D, SUBMIT_3D and the blob commands, one rule per test. */
public class ContextCommandsTest {
    private Harness h;
    private GpuDriver d;

    @Before
    public void start() {
        h = Harness.start();
        d = h.driver;
    }

    @After
    public void stop() {
        h.close();
    }

    private int create3d(int id, int target, int width, int height, int depth, int arraySize, int lastLevel) {
        return d.command(new ResourceCreate3d(d.header(CtrlType.CMD_RESOURCE_CREATE_3D, 0), id, target, 67, 2, width,
                height, depth, arraySize, lastLevel, 0, 0)).type();
    }

    private int transfer(int type, int ctx, int id, Box box, long offset, int level) {
        return d.command(new TransferHost3d(d.header(type, ctx), box, offset, id, level, 0, 0)).type();
    }

    // ---- contexts ----

    @Test
    public void ctxCreatePassesIdInitAndName() {
        assertEquals(RESP_OK_NODATA, d.ctxCreate(1, 2, "mesa").type());
        assertEquals(1, h.device.contextCount());
        assertTrue(h.backend().calls.contains("contextCreate[1, 2, mesa]"));
    }

    @Test
    public void ctxCreateWithIdZeroIsInvalidContextId() {
        assertEquals(RESP_ERR_INVALID_CONTEXT_ID, d.ctxCreate(0, 0, "x").type());
    }

    @Test
    public void ctxCreateWithIdInUseIsInvalidContextId() {
        d.ctxCreate(1, 0, "x");
        assertEquals(RESP_ERR_INVALID_CONTEXT_ID, d.ctxCreate(1, 0, "y").type());
        assertEquals(1, h.backend().count("contextCreate"));
    }

    @Test
    public void ctxCreateWithNlenAbove64IsInvalidParameter() {
        CtxCreate c = new CtxCreate(d.header(CtrlType.CMD_CTX_CREATE, 1), 65, 0, "x");
        assertEquals(RESP_ERR_INVALID_PARAMETER, d.command(c).type());
    }

    @Test
    public void ctxCreateForACapsetNotOfferedIsInvalidParameter() {
        assertEquals(RESP_ERR_INVALID_PARAMETER, d.ctxCreate(1, 5, "cross-domain").type());
        assertEquals(0, h.device.contextCount());
    }

    @Test
    public void ctxCreateWithReservedContextInitBitsIsInvalidParameter() {
        assertEquals(RESP_ERR_INVALID_PARAMETER, d.ctxCreate(1, 0x101, "x").type());
    }

    @Test
    public void ctxCreateWithContextInitButWithoutTheFeatureIsInvalidParameter() {
        long noInit = GpuDriver.Options.defaults().gpuFeatures() & ~GpuFeatures.mask(GpuFeatures.CONTEXT_INIT);
        try (Harness plain = Harness.start(DeviceConfig.defaults(), new TestBackend.Provider("test"),
                GpuDriver.Options.defaults().withGpuFeatures(noInit), 4 << 20)) {
            assertEquals(RESP_ERR_INVALID_PARAMETER, plain.driver.ctxCreate(1, 2, "x").type());
            assertEquals(RESP_OK_NODATA, plain.driver.ctxCreate(1, 0, "x").type());
        }
    }

    @Test
    public void threeDCommandsWithoutVirglAreUnspec() {
        long noVirgl = GpuDriver.Options.defaults().gpuFeatures() & ~GpuFeatures.mask(GpuFeatures.VIRGL);
        try (Harness plain = Harness.start(DeviceConfig.defaults(), new TestBackend.Provider("test"),
                GpuDriver.Options.defaults().withGpuFeatures(noVirgl), 4 << 20)) {
            assertEquals(RESP_ERR_UNSPEC, plain.driver.ctxCreate(1, 0, "x").type());
            assertEquals(RESP_ERR_UNSPEC, plain.driver.submit3d(1, ByteBuffer.allocate(4)).type());
            assertEquals(0, plain.backend().count("contextCreate"));
        }
    }

    @Test
    public void ctxDestroyOfUnknownContextIsInvalidContextId() {
        assertEquals(RESP_ERR_INVALID_CONTEXT_ID, d.ctxDestroy(3).type());
    }

    @Test
    public void ctxDestroyForgetsTheContext() {
        d.ctxCreate(1, 0, "x");
        assertEquals(RESP_OK_NODATA, d.ctxDestroy(1).type());
        assertEquals(0, h.device.contextCount());
        assertEquals(RESP_ERR_INVALID_CONTEXT_ID, d.submit3d(1, ByteBuffer.allocate(4)).type());
    }

    @Test
    public void ctxAttachNeedsAContextAndAResource() {
        d.ctxCreate(1, 0, "x");
        create3d(5, Gallium.TEXTURE_2D, 16, 16, 1, 1, 0);
        assertEquals(RESP_ERR_INVALID_CONTEXT_ID, d.ctxAttachResource(2, 5).type());
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, d.ctxAttachResource(1, 6).type());
        assertEquals(RESP_OK_NODATA, d.ctxAttachResource(1, 5).type());
        assertEquals(RESP_OK_NODATA, d.ctxDetachResource(1, 5).type());
        assertEquals(RESP_ERR_INVALID_CONTEXT_ID, d.ctxDetachResource(0, 5).type());
    }

    // ---- SUBMIT_3D ----

    @Test
    public void submit3dHandsTheCommandBytesToTheBackend() {
        d.ctxCreate(1, 0, "x");
        ByteBuffer cmds = ByteBuffer.allocate(12);
        cmds.putInt(0, 0x11223344);
        assertEquals(RESP_OK_NODATA, d.submit3d(1, cmds).type());
        assertEquals(12, h.backend().lastSubmit.remaining());
        assertEquals(0x11223344, h.backend().lastSubmit.getInt(0));
    }

    @Test
    public void submit3dLargerThanTheChainCarriesIsInvalidParameter() {
        d.ctxCreate(1, 0, "x");
        Submit3d s = new Submit3d(d.header(CtrlType.CMD_SUBMIT_3D, 1), 4096);
        assertEquals(RESP_ERR_INVALID_PARAMETER, d.command(s, ByteBuffer.allocate(100)).type());
        // a size of 4 GiB - 1 is refused before anything is allocated
        Submit3d huge = new Submit3d(d.header(CtrlType.CMD_SUBMIT_3D, 1), -1);
        assertEquals(RESP_ERR_INVALID_PARAMETER, d.command(huge).type());
        assertEquals(0, h.backend().count("submitCommand"));
    }

    @Test
    public void submit3dInUnknownContextIsInvalidContextId() {
        assertEquals(RESP_ERR_INVALID_CONTEXT_ID, d.submit3d(4, ByteBuffer.allocate(4)).type());
        assertEquals(RESP_ERR_INVALID_CONTEXT_ID, d.submit3d(0, ByteBuffer.allocate(4)).type());
    }

    // ---- RESOURCE_CREATE_3D ----

    @Test
    public void create3dIsNotChargedAgainstHostmem() {
        assertEquals(RESP_OK_NODATA, create3d(1, Gallium.TEXTURE_2D, 1024, 1024, 1, 1, 10));
        assertEquals(1, h.device.resourceCount());
        assertEquals(0, h.device.hostMemoryUsed());
    }

    @Test
    public void create3dWithIdZeroOrInUseIsInvalidResourceId() {
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, create3d(0, Gallium.TEXTURE_2D, 16, 16, 1, 1, 0));
        create3d(1, Gallium.TEXTURE_2D, 16, 16, 1, 1, 0);
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, create3d(1, Gallium.TEXTURE_2D, 16, 16, 1, 1, 0));
    }

    @Test
    public void create3dWithUnknownTargetIsInvalidParameter() {
        assertEquals(RESP_ERR_INVALID_PARAMETER, create3d(1, Gallium.TARGET_COUNT, 16, 16, 1, 1, 0));
    }

    @Test
    public void create3dWithAZeroExtentIsInvalidParameter() {
        assertEquals(RESP_ERR_INVALID_PARAMETER, create3d(1, Gallium.TEXTURE_2D, 16, 16, 0, 1, 0));
        assertEquals(RESP_ERR_INVALID_PARAMETER, create3d(1, Gallium.TEXTURE_2D, 16, 16, 1, 0, 0));
    }

    @Test
    public void create3dWithLastLevelAbove31IsInvalidParameter() {
        assertEquals(RESP_ERR_INVALID_PARAMETER, create3d(1, Gallium.TEXTURE_2D, 16, 16, 1, 1, 32));
    }

    // ---- TRANSFER_*_3D ----

    @Test
    public void transferToHost3dPassesTheBoxLevelAndOffset() {
        d.ctxCreate(1, 0, "x");
        create3d(5, Gallium.TEXTURE_2D, 64, 64, 1, 1, 2);
        d.attachBacking(5, d.allocateBacking(64 * 64 * 4));
        Box box = new Box(1, 2, 0, 8, 8, 1);
        assertEquals(RESP_OK_NODATA, transfer(CtrlType.CMD_TRANSFER_TO_HOST_3D, 1, 5, box, 128, 1));
        assertEquals(RESP_OK_NODATA, transfer(CtrlType.CMD_TRANSFER_FROM_HOST_3D, 1, 5, box, 128, 1));
        Transfer t = new Transfer(1, 2, 0, 8, 8, 1, 1, 0, 0, 128);
        assertTrue(h.backend().calls.contains("transferWrite[1, 5, " + t + "]"));
        assertTrue(h.backend().calls.contains("transferRead[1, 5, " + t + "]"));
    }

    @Test
    public void transfer3dBoxOutsideTheResourceIsInvalidParameter() {
        create3d(5, Gallium.TEXTURE_2D, 64, 64, 1, 1, 0);
        assertEquals(RESP_ERR_INVALID_PARAMETER,
                transfer(CtrlType.CMD_TRANSFER_TO_HOST_3D, 0, 5, new Box(60, 0, 0, 8, 8, 1), 0, 0));
        assertEquals(RESP_ERR_INVALID_PARAMETER,
                transfer(CtrlType.CMD_TRANSFER_FROM_HOST_3D, 0, 5, new Box(0, 0, 1, 8, 8, 1), 0, 0));
        assertEquals(RESP_ERR_INVALID_PARAMETER,
                transfer(CtrlType.CMD_TRANSFER_TO_HOST_3D, 0, 5, new Box(-8, 0, 0, 16, 8, 1), 0, 0));
    }

    @Test
    public void transfer3dCountsArrayLayersAsDepth() {
        create3d(5, Gallium.TEXTURE_2D_ARRAY, 16, 16, 1, 6, 0);
        assertEquals(RESP_OK_NODATA,
                transfer(CtrlType.CMD_TRANSFER_TO_HOST_3D, 0, 5, new Box(0, 0, 5, 16, 16, 1), 0, 0));
        assertEquals(RESP_ERR_INVALID_PARAMETER,
                transfer(CtrlType.CMD_TRANSFER_TO_HOST_3D, 0, 5, new Box(0, 0, 6, 16, 16, 1), 0, 0));
    }

    @Test
    public void transfer3dAboveLastLevelIsInvalidParameter() {
        create3d(5, Gallium.TEXTURE_2D, 64, 64, 1, 1, 2);
        assertEquals(RESP_ERR_INVALID_PARAMETER,
                transfer(CtrlType.CMD_TRANSFER_TO_HOST_3D, 0, 5, new Box(0, 0, 0, 1, 1, 1), 0, 3));
    }

    @Test
    public void transfer3dOffsetPastTheBackingIsInvalidParameter() {
        create3d(5, Gallium.TEXTURE_2D, 64, 64, 1, 1, 0);
        d.attachBacking(5, d.allocateBacking(4096));
        assertEquals(RESP_ERR_INVALID_PARAMETER,
                transfer(CtrlType.CMD_TRANSFER_TO_HOST_3D, 0, 5, new Box(0, 0, 0, 1, 1, 1), 4097, 0));
    }

    @Test
    public void transfer3dInUnknownContextIsInvalidContextId() {
        create3d(5, Gallium.TEXTURE_2D, 64, 64, 1, 1, 0);
        assertEquals(RESP_ERR_INVALID_CONTEXT_ID,
                transfer(CtrlType.CMD_TRANSFER_TO_HOST_3D, 9, 5, new Box(0, 0, 0, 1, 1, 1), 0, 0));
    }

    @Test
    public void transfer3dOfUnknownResourceIsInvalidResourceId() {
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID,
                transfer(CtrlType.CMD_TRANSFER_FROM_HOST_3D, 0, 5, new Box(0, 0, 0, 1, 1, 1), 0, 0));
    }

    // ---- blobs ----

    @Test
    public void guestBlobIsChargedItsSizeAndGetsItsPages() {
        Backing b = d.allocateBacking(8192);
        assertEquals(RESP_OK_NODATA,
                d.createBlob(0, 1, Blobs.BLOB_MEM_GUEST, Blobs.BLOB_FLAG_USE_SHAREABLE, 0, 8192, b).type());
        assertEquals(8192, h.device.hostMemoryUsed());
        assertEquals(8192, h.backend().backing.get(1).stream().mapToLong(ByteBuffer::remaining).sum());
        d.resourceUnref(1);
        assertEquals(0, h.device.hostMemoryUsed());
    }

    @Test
    public void guestBlobLargerThanItsPagesIsInvalidParameter() {
        Backing b = d.allocateBacking(4096);
        assertEquals(RESP_ERR_INVALID_PARAMETER,
                d.createBlob(0, 1, Blobs.BLOB_MEM_GUEST, 0, 0, 8192, b).type());
        assertEquals(0, h.device.resourceCount());
    }

    @Test
    public void blobWithUnknownBlobMemIsInvalidParameter() {
        assertEquals(RESP_ERR_INVALID_PARAMETER, d.createBlob(0, 1, 0, 0, 0, 4096, null).type());
        assertEquals(RESP_ERR_INVALID_PARAMETER, d.createBlob(0, 1, 4, 0, 0, 4096, null).type());
    }

    @Test
    public void blobWithUnknownFlagsIsInvalidParameter() {
        assertEquals(RESP_ERR_INVALID_PARAMETER,
                d.createBlob(0, 1, Blobs.BLOB_MEM_GUEST, 8, 0, 4096, d.allocateBacking(4096)).type());
    }

    @Test
    public void hostBlobNeedsAContext() {
        assertEquals(RESP_ERR_INVALID_CONTEXT_ID, d.createBlob(0, 1, Blobs.BLOB_MEM_HOST3D, 0, 1, 4096, null).type());
        d.ctxCreate(1, 0, "x");
        assertEquals(RESP_OK_NODATA, d.createBlob(1, 1, Blobs.BLOB_MEM_HOST3D, 0, 1, 4096, null).type());
    }

    @Test
    public void hostBlobWithGuestPagesIsInvalidParameter() {
        d.ctxCreate(1, 0, "x");
        assertEquals(RESP_ERR_INVALID_PARAMETER,
                d.createBlob(1, 1, Blobs.BLOB_MEM_HOST3D, 0, 1, 4096, d.allocateBacking(4096)).type());
    }

    @Test
    public void blobOfSizeZeroIsInvalidParameter() {
        assertEquals(RESP_ERR_INVALID_PARAMETER,
                d.createBlob(0, 1, Blobs.BLOB_MEM_GUEST, 0, 0, 0, d.allocateBacking(4096)).type());
    }

    @Test
    public void blobBeyondMaxHostmemIsOutOfMemory() {
        d.ctxCreate(1, 0, "x");
        assertEquals(RESP_ERR_OUT_OF_MEMORY,
                d.createBlob(1, 1, Blobs.BLOB_MEM_HOST3D, 0, 1, DeviceConfig.DEFAULT_MAX_HOSTMEM + 1, null).type());
    }

    @Test
    public void blobWithIdInUseIsInvalidResourceId() {
        d.resourceCreate2d(1, 1, 16, 16);
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID,
                d.createBlob(0, 1, Blobs.BLOB_MEM_GUEST, 0, 0, 4096, d.allocateBacking(4096)).type());
    }

    @Test
    public void blobWithoutTheBlobFeatureIsInvalidParameter() {
        long noBlob = GpuDriver.Options.defaults().gpuFeatures() & ~GpuFeatures.mask(GpuFeatures.RESOURCE_BLOB);
        try (Harness plain = Harness.start(DeviceConfig.defaults(), new TestBackend.Provider("test"),
                GpuDriver.Options.defaults().withGpuFeatures(noBlob), 4 << 20)) {
            ResourceCreateBlob c = new ResourceCreateBlob(CtrlHdr.of(CtrlType.CMD_RESOURCE_CREATE_BLOB), 1,
                    Blobs.BLOB_MEM_GUEST, 0, 0, 0, 4096);
            assertEquals(RESP_ERR_INVALID_PARAMETER, plain.driver.command(c).type());
        }
    }

    @Test
    public void blobThatTheBackendRefusesKeepsNothing() {
        h.backend().failing("resourceCreateBlob", RESP_ERR_UNSPEC);
        assertEquals(RESP_ERR_UNSPEC,
                d.createBlob(0, 1, Blobs.BLOB_MEM_GUEST, 0, 0, 4096, d.allocateBacking(4096)).type());
        assertEquals(0, h.device.resourceCount());
        assertEquals(0, h.device.hostMemoryUsed());
    }

    @Test
    public void detachBackingOfABlobIsInvalidParameter() {
        d.createBlob(0, 1, Blobs.BLOB_MEM_GUEST, 0, 0, 4096, d.allocateBacking(4096));
        assertEquals(RESP_ERR_INVALID_PARAMETER, d.detachBacking(1).type());
    }

    @Test
    public void mapBlobWithoutAHostVisibleRegionIsUnspec() {
        d.ctxCreate(1, 0, "x");
        d.createBlob(1, 1, Blobs.BLOB_MEM_HOST3D, Blobs.BLOB_FLAG_USE_MAPPABLE, 1, 4096, null);
        var answer = d.submit(new dev.neep.gpu.protocol.ResourceMapBlob(
                d.header(CtrlType.CMD_RESOURCE_MAP_BLOB, 0), 1, 0)).await();
        assertEquals(RESP_ERR_UNSPEC, answer.hdr().type());
        assertEquals(0, h.backend().count("mapBlob"));
    }

    @Test
    public void mapBlobOfANonMappableResourceIsInvalidParameter() {
        d.ctxCreate(1, 0, "x");
        d.createBlob(1, 1, Blobs.BLOB_MEM_HOST3D, 0, 1, 4096, null);
        var answer = d.submit(new dev.neep.gpu.protocol.ResourceMapBlob(
                d.header(CtrlType.CMD_RESOURCE_MAP_BLOB, 0), 1, 0)).await();
        assertEquals(RESP_ERR_INVALID_PARAMETER, answer.hdr().type());
    }

    @Test
    public void unmapOfABlobNotMappedIsInvalidParameter() {
        d.createBlob(0, 1, Blobs.BLOB_MEM_GUEST, 0, 0, 4096, d.allocateBacking(4096));
        assertEquals(RESP_ERR_INVALID_PARAMETER, d.unmapBlob(1).type());
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, d.unmapBlob(2).type());
    }
}
