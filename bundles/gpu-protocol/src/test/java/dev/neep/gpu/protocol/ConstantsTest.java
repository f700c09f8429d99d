package dev.neep.gpu.protocol;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

/** Constant values as virtio 1.3 §5.7 and include/uapi/linux/virtio_gpu.h define them. */
public class ConstantsTest {

    @Test
    public void commandTypesMatchTheSpec() {
        assertEquals(0x0100, CtrlType.CMD_GET_DISPLAY_INFO);
        assertEquals(0x0101, CtrlType.CMD_RESOURCE_CREATE_2D);
        assertEquals(0x0102, CtrlType.CMD_RESOURCE_UNREF);
        assertEquals(0x0103, CtrlType.CMD_SET_SCANOUT);
        assertEquals(0x0104, CtrlType.CMD_RESOURCE_FLUSH);
        assertEquals(0x0105, CtrlType.CMD_TRANSFER_TO_HOST_2D);
        assertEquals(0x0106, CtrlType.CMD_RESOURCE_ATTACH_BACKING);
        assertEquals(0x0107, CtrlType.CMD_RESOURCE_DETACH_BACKING);
        assertEquals(0x0108, CtrlType.CMD_GET_CAPSET_INFO);
        assertEquals(0x0109, CtrlType.CMD_GET_CAPSET);
        assertEquals(0x010a, CtrlType.CMD_GET_EDID);
        assertEquals(0x010b, CtrlType.CMD_RESOURCE_ASSIGN_UUID);
        assertEquals(0x010c, CtrlType.CMD_RESOURCE_CREATE_BLOB);
        assertEquals(0x010d, CtrlType.CMD_SET_SCANOUT_BLOB);
        assertEquals(0x0200, CtrlType.CMD_CTX_CREATE);
        assertEquals(0x0201, CtrlType.CMD_CTX_DESTROY);
        assertEquals(0x0202, CtrlType.CMD_CTX_ATTACH_RESOURCE);
        assertEquals(0x0203, CtrlType.CMD_CTX_DETACH_RESOURCE);
        assertEquals(0x0204, CtrlType.CMD_RESOURCE_CREATE_3D);
        assertEquals(0x0205, CtrlType.CMD_TRANSFER_TO_HOST_3D);
        assertEquals(0x0206, CtrlType.CMD_TRANSFER_FROM_HOST_3D);
        assertEquals(0x0207, CtrlType.CMD_SUBMIT_3D);
        assertEquals(0x0208, CtrlType.CMD_RESOURCE_MAP_BLOB);
        assertEquals(0x0209, CtrlType.CMD_RESOURCE_UNMAP_BLOB);
        assertEquals(0x0300, CtrlType.CMD_UPDATE_CURSOR);
        assertEquals(0x0301, CtrlType.CMD_MOVE_CURSOR);
    }

    @Test
    public void responseTypesMatchTheSpec() {
        assertEquals(0x1100, CtrlType.RESP_OK_NODATA);
        assertEquals(0x1101, CtrlType.RESP_OK_DISPLAY_INFO);
        assertEquals(0x1102, CtrlType.RESP_OK_CAPSET_INFO);
        assertEquals(0x1103, CtrlType.RESP_OK_CAPSET);
        assertEquals(0x1104, CtrlType.RESP_OK_EDID);
        assertEquals(0x1105, CtrlType.RESP_OK_RESOURCE_UUID);
        assertEquals(0x1106, CtrlType.RESP_OK_MAP_INFO);
        assertEquals(0x1200, CtrlType.RESP_ERR_UNSPEC);
        assertEquals(0x1201, CtrlType.RESP_ERR_OUT_OF_MEMORY);
        assertEquals(0x1202, CtrlType.RESP_ERR_INVALID_SCANOUT_ID);
        assertEquals(0x1203, CtrlType.RESP_ERR_INVALID_RESOURCE_ID);
        assertEquals(0x1204, CtrlType.RESP_ERR_INVALID_CONTEXT_ID);
        assertEquals(0x1205, CtrlType.RESP_ERR_INVALID_PARAMETER);
        assertTrue(CtrlType.isOk(CtrlType.RESP_OK_MAP_INFO));
        assertTrue(CtrlType.isError(CtrlType.RESP_ERR_INVALID_PARAMETER));
        assertFalse(CtrlType.isError(CtrlType.RESP_OK_NODATA));
    }

    @Test
    public void namesDropTheVirtioGpuPrefixAndShowUnknownValues() {
        assertEquals("CMD_RESOURCE_CREATE_2D", CtrlType.name(0x0101));
        assertEquals("RESP_ERR_INVALID_RESOURCE_ID", CtrlType.name(0x1203));
        assertEquals("UNKNOWN(0x1234)", CtrlType.name(0x1234));
        assertEquals("UNKNOWN(0xffffffff)", CtrlType.name(-1));
    }

    @Test
    public void everyCommandHasAFixedSize() {
        int[] commands = {0x0100, 0x0101, 0x0102, 0x0103, 0x0104, 0x0105, 0x0106, 0x0107, 0x0108, 0x0109, 0x010a,
            0x010b, 0x010c, 0x010d, 0x0200, 0x0201, 0x0202, 0x0203, 0x0204, 0x0205, 0x0206, 0x0207, 0x0208, 0x0209,
            0x0300, 0x0301};
        for (int type : commands) {
            assertTrue(CtrlType.name(type), Command.of(type).orElseThrow().requestSize() >= CtrlHdr.SIZE);
            assertFalse(CtrlType.name(type).startsWith("UNKNOWN"));
        }
    }

    @Test
    public void featureBits() {
        assertEquals(0, GpuFeatures.VIRGL);
        assertEquals(1, GpuFeatures.EDID);
        assertEquals(2, GpuFeatures.RESOURCE_UUID);
        assertEquals(3, GpuFeatures.RESOURCE_BLOB);
        assertEquals(4, GpuFeatures.CONTEXT_INIT);
        assertEquals(0x18L, GpuFeatures.mask(GpuFeatures.RESOURCE_BLOB) | GpuFeatures.mask(GpuFeatures.CONTEXT_INIT));
        assertTrue(GpuFeatures.has(0x2L, GpuFeatures.EDID));
    }

    @Test
    public void flagsAndEvents() {
        assertEquals(1, CtrlFlags.FLAG_FENCE);
        assertEquals(2, CtrlFlags.FLAG_INFO_RING_IDX);
        assertEquals(1, GpuEvents.EVENT_DISPLAY);
    }

    @Test
    public void capsetIdsAndNames() {
        String[] names = {"virgl", "virgl2", "gfxstream-vulkan", "venus", "cross-domain", "drm", "gfxstream-magma",
            "gfxstream-gles", "gfxstream-composer"};
        for (int id = 1; id <= 9; id++) {
            assertEquals(names[id - 1], CapsetIds.name(id));
            assertEquals(id, CapsetIds.byName(names[id - 1]));
        }
        assertEquals(4, CapsetIds.VENUS);
        assertEquals(5, CapsetIds.CROSS_DOMAIN);
        assertEquals("capset-10", CapsetIds.name(10));
        assertEquals(-1, CapsetIds.byName("nope"));
    }

    @Test
    public void blobConstants() {
        assertEquals(1, Blobs.BLOB_MEM_GUEST);
        assertEquals(2, Blobs.BLOB_MEM_HOST3D);
        assertEquals(3, Blobs.BLOB_MEM_HOST3D_GUEST);
        assertEquals(4, Blobs.BLOB_FLAG_USE_CROSS_DEVICE);
        assertEquals(3, Blobs.MAP_CACHE_WC);
    }
}
