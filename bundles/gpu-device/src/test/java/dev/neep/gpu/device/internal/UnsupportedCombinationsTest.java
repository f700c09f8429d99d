package dev.neep.gpu.device.internal;

import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_PARAMETER;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_UNSPEC;
import static dev.neep.gpu.protocol.CtrlType.RESP_OK_NODATA;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.neep.backend2d.Backend2d;
import dev.neep.gpu.api.BackendCapabilities;
import dev.neep.gpu.api.CapsetInfo;
import dev.neep.gpu.device.DeviceConfig;
import dev.neep.gpu.protocol.Blobs;
import dev.neep.gpu.protocol.Box;
import dev.neep.gpu.protocol.CapsetIds;
import dev.neep.gpu.protocol.CtrlHdr;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.CtxCreate;
import dev.neep.gpu.protocol.CtxDestroy;
import dev.neep.gpu.protocol.CtxResource;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.GetCapset;
import dev.neep.gpu.protocol.GetCapsetInfo;
import dev.neep.gpu.protocol.GpuFeatures;
import dev.neep.gpu.protocol.Request;
import dev.neep.gpu.protocol.ResourceCreate2d;
import dev.neep.gpu.protocol.ResourceCreate3d;
import dev.neep.gpu.protocol.ResourceCreateBlob;
import dev.neep.gpu.protocol.ResourceMapBlob;
import dev.neep.gpu.protocol.Submit3d;
import dev.neep.gpu.protocol.TransferHost3d;
import dev.neep.testkit.GpuDriver;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.Test;

/**
 * What the bound backend cannot do is answered, logged once per cause, and never reaches it:
 * a capset it does not offer, a 3D command on the 2D backend, a blob mapping where the
 * transport has no host-visible region.
 */
public class UnsupportedCombinationsTest {

    /** What the device offers with a 2D backend, as a guest negotiates it. */
    private static final long TWO_D_FEATURES = GpuFeatures.mask(GpuFeatures.EDID)
            | GpuFeatures.mask(GpuFeatures.RESOURCE_UUID) | GpuFeatures.mask(GpuFeatures.RESOURCE_BLOB);

    private static ProcessorHarness on2dBackend() {
        TestBackend twoD = new TestBackend(new BackendCapabilities(false, true, false, false), List.of(), f -> { },
                true);
        return new ProcessorHarness(DeviceConfig.defaults(), twoD, TWO_D_FEATURES);
    }

    private static CtrlHdr inContext(int type, int ctxId) {
        return new CtrlHdr(type, 0, 0, ctxId, 0);
    }

    private static void answered(ProcessorHarness p, int expected, String cause, Request r, ByteBuffer... trailing) {
        long before = p.log.count(cause);
        assertEquals(cause, CtrlType.name(expected), CtrlType.name(p.execute(r, trailing).type()));
        assertEquals("log cause " + cause, before + 1, p.log.count(cause));
    }

    @Test
    public void everyThreeDCommandOnThe2dBackendIsUnspecLoggedAndNeverReachesIt() {
        ProcessorHarness p = on2dBackend();
        String cause = ": 3D not negotiated";
        answered(p, RESP_ERR_UNSPEC, "CMD_CTX_CREATE" + cause,
                new CtxCreate(inContext(CtrlType.CMD_CTX_CREATE, 1), 1, 0, "x"));
        answered(p, RESP_ERR_UNSPEC, "CMD_CTX_DESTROY" + cause, new CtxDestroy(inContext(CtrlType.CMD_CTX_DESTROY, 1)));
        answered(p, RESP_ERR_UNSPEC, "CMD_CTX_ATTACH_RESOURCE" + cause,
                new CtxResource(inContext(CtrlType.CMD_CTX_ATTACH_RESOURCE, 1), 1));
        answered(p, RESP_ERR_UNSPEC, "CMD_CTX_DETACH_RESOURCE" + cause,
                new CtxResource(inContext(CtrlType.CMD_CTX_DETACH_RESOURCE, 1), 1));
        answered(p, RESP_ERR_UNSPEC, "CMD_RESOURCE_CREATE_3D" + cause,
                new ResourceCreate3d(CtrlHdr.of(CtrlType.CMD_RESOURCE_CREATE_3D), 1, Gallium.TEXTURE_2D,
                        Formats.B8G8R8A8_UNORM, 2, 16, 16, 1, 1, 0, 0, 0));
        Box box = new Box(0, 0, 0, 16, 16, 1);
        answered(p, RESP_ERR_UNSPEC, "CMD_TRANSFER_TO_HOST_3D" + cause,
                new TransferHost3d(inContext(CtrlType.CMD_TRANSFER_TO_HOST_3D, 1), box, 0, 1, 0, 64, 0));
        answered(p, RESP_ERR_UNSPEC, "CMD_TRANSFER_FROM_HOST_3D" + cause,
                new TransferHost3d(inContext(CtrlType.CMD_TRANSFER_FROM_HOST_3D, 1), box, 0, 1, 0, 64, 0));
        answered(p, RESP_ERR_UNSPEC, "CMD_SUBMIT_3D" + cause,
                new Submit3d(inContext(CtrlType.CMD_SUBMIT_3D, 1), 8), ByteBuffer.allocate(8));
        assertTrue("the 2D backend was called: " + p.backend.calls, p.backend.calls.isEmpty());
        // and 2D work goes on
        assertTrue(p.execute(new ResourceCreate2d(CtrlHdr.of(CtrlType.CMD_RESOURCE_CREATE_2D), 1,
                Formats.B8G8R8X8_UNORM, 16, 16)).isOk());
    }

    @Test
    public void aCapsetTheBackendLacksIsInvalidParameterLoggedAndNeverReachesIt() {
        ProcessorHarness p = new ProcessorHarness(); // offers virgl (1) only
        answered(p, RESP_ERR_INVALID_PARAMETER, "CMD_GET_CAPSET_INFO: capset_index",
                new GetCapsetInfo(CtrlHdr.of(CtrlType.CMD_GET_CAPSET_INFO), 1));
        answered(p, RESP_ERR_INVALID_PARAMETER, "CMD_GET_CAPSET: capset_id",
                new GetCapset(CtrlHdr.of(CtrlType.CMD_GET_CAPSET), CapsetIds.VIRGL2, 1));
        answered(p, RESP_ERR_INVALID_PARAMETER, "CMD_CTX_CREATE: context_init capset",
                new CtxCreate(inContext(CtrlType.CMD_CTX_CREATE, 1), 1, CapsetIds.CROSS_DOMAIN, "x"));
        assertEquals(0, p.backend.count("capset"));
        assertEquals(0, p.backend.count("contextCreate"));
        assertEquals(0, p.core.contextCount());
        // the capset it has still works
        assertTrue(p.execute(new CtxCreate(inContext(CtrlType.CMD_CTX_CREATE, 1), 1, CapsetIds.VIRGL, "x")).isOk());
    }

    @Test
    public void capsetsOnThe2dBackendAreInvalidParameter() {
        ProcessorHarness p = on2dBackend();
        answered(p, RESP_ERR_INVALID_PARAMETER, "CMD_GET_CAPSET_INFO: capset_index",
                new GetCapsetInfo(CtrlHdr.of(CtrlType.CMD_GET_CAPSET_INFO), 0));
        answered(p, RESP_ERR_INVALID_PARAMETER, "CMD_GET_CAPSET: capset_id",
                new GetCapset(CtrlHdr.of(CtrlType.CMD_GET_CAPSET), CapsetIds.VIRGL, 1));
        assertEquals(0, p.backend.count("capset"));
    }

    @Test
    public void blobMappingWithoutAHostVisibleRegionIsUnspecLoggedAndNeverReachesTheBackend() {
        // a backend that could map: the transport is what lacks the region
        TestBackend mapping = new TestBackend(new BackendCapabilities(true, true, true, true),
                List.of(new CapsetInfo(1, 1, 308)), f -> { }, true);
        ProcessorHarness p = new ProcessorHarness(DeviceConfig.defaults(), mapping, ProcessorHarness.ALL_FEATURES);
        assertTrue(p.execute(new CtxCreate(inContext(CtrlType.CMD_CTX_CREATE, 1), 1, 0, "x")).isOk());
        assertTrue(p.execute(new ResourceCreateBlob(inContext(CtrlType.CMD_RESOURCE_CREATE_BLOB, 1), 5,
                Blobs.BLOB_MEM_HOST3D, Blobs.BLOB_FLAG_USE_MAPPABLE, 0, 1, 4096)).isOk());
        for (int i = 0; i < 3; i++) {
            assertEquals(RESP_ERR_UNSPEC, p.execute(new ResourceMapBlob(
                    CtrlHdr.of(CtrlType.CMD_RESOURCE_MAP_BLOB), 5, 0)).type());
        }
        assertEquals(3, p.log.count("CMD_RESOURCE_MAP_BLOB: no host-visible region"));
        assertEquals(0, mapping.count("mapBlob"));
        assertEquals(1, p.core.resourceCount());
    }

    @Test
    public void theReal2dBackendBehindTheDeviceAnswers3dCommandsUnspecAndKeepsDrawing() {
        try (Harness h = Harness.start(DeviceConfig.defaults(), Backend2d.provider(),
                GpuDriver.Options.defaults(), 4 << 20)) {
            assertFalse(h.driver.hasGpuFeature(GpuFeatures.VIRGL));
            assertEquals(0, h.driver.config().numCapsets());
            assertEquals(RESP_ERR_UNSPEC, h.driver.ctxCreate(1, 0, "x").type());
            assertEquals(RESP_ERR_UNSPEC, h.driver.submit3d(1, ByteBuffer.allocate(8)).type());
            assertEquals(RESP_OK_NODATA, h.driver.resourceCreate2d(100, Formats.B8G8R8X8_UNORM, 16, 16).type());
            h.driver.drawPattern(64, 64);
            assertEquals(2, h.device.resourceCount());
        }
    }
}
