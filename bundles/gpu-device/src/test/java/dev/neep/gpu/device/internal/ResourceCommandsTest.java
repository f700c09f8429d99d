package dev.neep.gpu.device.internal;

import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_PARAMETER;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_RESOURCE_ID;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_OUT_OF_MEMORY;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_UNSPEC;
import static dev.neep.gpu.protocol.CtrlType.RESP_OK_NODATA;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import dev.neep.gpu.device.DeviceConfig;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.MemEntry;
import dev.neep.gpu.protocol.ResourceAttachBacking;
import dev.neep.gpu.protocol.RespResourceUuid;
import dev.neep.testkit.Backing;
import dev.neep.testkit.GpuDriver;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.UUID;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** RESOURCE_CREATE_2D, UNREF, ATTACH/DETACH_BACKING and ASSIGN_UUID, one rule per test. */
public class ResourceCommandsTest {
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

    private static int type(dev.neep.gpu.protocol.CtrlHdr hdr) {
        return hdr.type();
    }

    @Test
    public void create2dChargesWidthTimesHeightTimesBpp() {
        assertEquals(RESP_OK_NODATA, type(d.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, 64, 32)));
        assertEquals(1, h.device.resourceCount());
        assertEquals(64 * 32 * 4, h.device.hostMemoryUsed());
        assertEquals(1, h.backend().count("resourceCreate2d"));
    }

    @Test
    public void create2dWithResourceIdZeroIsInvalidResourceId() {
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, type(d.resourceCreate2d(0, Formats.B8G8R8X8_UNORM, 64, 32)));
        assertEquals(0, h.backend().count("resourceCreate2d"));
    }

    @Test
    public void create2dWithIdInUseIsInvalidResourceIdAndKeepsTheFirst() {
        d.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, 64, 32);
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, type(d.resourceCreate2d(1, Formats.B8G8R8A8_UNORM, 8, 8)));
        assertEquals(1, h.device.resourceCount());
        assertEquals(64 * 32 * 4, h.device.hostMemoryUsed());
    }

    @Test
    public void create2dWithUnsupportedFormatIsInvalidParameter() {
        assertEquals(RESP_ERR_INVALID_PARAMETER, type(d.resourceCreate2d(1, 5, 64, 32)));
        assertEquals(0, h.device.resourceCount());
    }

    @Test
    public void create2dOfZeroSizeIsInvalidParameter() {
        assertEquals(RESP_ERR_INVALID_PARAMETER, type(d.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, 0, 32)));
        assertEquals(RESP_ERR_INVALID_PARAMETER, type(d.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, 32, 0)));
    }

    @Test
    public void create2dWhoseByteSizeOverflowsIsInvalidParameter() {
        // 0xffffffff * 0xffffffff * 4 does not fit 64 bits
        assertEquals(RESP_ERR_INVALID_PARAMETER, type(d.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, -1, -1)));
        assertEquals(0, h.device.hostMemoryUsed());
    }

    @Test
    public void create2dBeyondMaxHostmemIsOutOfMemory() {
        // 256 MiB default: 16384 x 8192 x 4 is 512 MiB
        assertEquals(RESP_ERR_OUT_OF_MEMORY, type(d.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, 16384, 8192)));
        assertEquals(0, h.device.resourceCount());
        assertEquals(0, h.backend().count("resourceCreate2d"));
    }

    @Test
    public void create2dUpToExactlyMaxHostmemSucceeds() {
        try (Harness small = Harness.start(DeviceConfig.defaults().withMaxHostmem(64 * 64 * 4 * 2),
                new TestBackend.Provider("test"))) {
            assertEquals(RESP_OK_NODATA, type(small.driver.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, 64, 64)));
            assertEquals(RESP_OK_NODATA, type(small.driver.resourceCreate2d(2, Formats.B8G8R8X8_UNORM, 64, 64)));
            assertEquals(RESP_ERR_OUT_OF_MEMORY, type(small.driver.resourceCreate2d(3, Formats.B8G8R8X8_UNORM, 1, 1)));
        }
    }

    @Test
    public void create2dThatTheBackendRefusesKeepsNothing() {
        h.backend().failing("resourceCreate2d", RESP_ERR_OUT_OF_MEMORY);
        assertEquals(RESP_ERR_OUT_OF_MEMORY, type(d.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, 64, 32)));
        assertEquals(0, h.device.resourceCount());
        assertEquals(0, h.device.hostMemoryUsed());
    }

    @Test
    public void unrefReturnsTheHostMemory() {
        d.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, 64, 32);
        assertEquals(RESP_OK_NODATA, type(d.resourceUnref(1)));
        assertEquals(0, h.device.resourceCount());
        assertEquals(0, h.device.hostMemoryUsed());
    }

    @Test
    public void unrefOfUnknownResourceIsInvalidResourceId() {
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, type(d.resourceUnref(7)));
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, type(d.resourceUnref(0)));
    }

    @Test
    public void unrefThatTheBackendFailsStillForgetsTheResource() {
        d.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, 64, 32);
        h.backend().failing("resourceUnref", RESP_ERR_UNSPEC);
        assertEquals(RESP_ERR_UNSPEC, type(d.resourceUnref(1)));
        assertEquals(0, h.device.resourceCount());
        assertEquals(0, h.device.hostMemoryUsed());
    }

    @Test
    public void attachBackingHandsTheGuestPagesToTheBackend() {
        d.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, 64, 32);
        Backing backing = d.allocateBacking(64 * 32 * 4);
        assertEquals(RESP_OK_NODATA, type(d.attachBacking(1, backing)));
        List<ByteBuffer> views = h.backend().backing.get(1);
        assertNotNull(views);
        assertEquals(64 * 32 * 4, views.stream().mapToLong(ByteBuffer::remaining).sum());
    }

    @Test
    public void attachBackingToUnknownResourceIsInvalidResourceId() {
        Backing backing = d.allocateBacking(4096);
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, type(d.attachBacking(9, backing)));
    }

    @Test
    public void attachBackingTwiceIsUnspecAndKeepsTheFirst() {
        d.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, 64, 32);
        Backing first = d.allocateBacking(64 * 32 * 4);
        d.attachBacking(1, first);
        assertEquals(RESP_ERR_UNSPEC, type(d.attachBacking(1, d.allocateBacking(4096))));
        assertEquals(1, h.backend().count("attachBacking"));
        assertEquals(64 * 32 * 4, h.backend().backing.get(1).stream().mapToLong(ByteBuffer::remaining).sum());
    }

    @Test
    public void attachBackingWithMoreThan16384EntriesIsUnspec() {
        d.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, 64, 32);
        ResourceAttachBacking request = new ResourceAttachBacking(
                d.header(CtrlType.CMD_RESOURCE_ATTACH_BACKING, 0), 1, Checks.MAX_MEM_ENTRIES + 1);
        assertEquals(RESP_ERR_UNSPEC, d.command(request).type());
        assertEquals(0, h.backend().count("attachBacking"));
    }

    @Test
    public void attachBackingWithEntriesMissingFromTheChainIsUnspec() {
        d.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, 64, 32);
        ResourceAttachBacking request = new ResourceAttachBacking(
                d.header(CtrlType.CMD_RESOURCE_ATTACH_BACKING, 0), 1, 3);
        ByteBuffer oneEntry = ByteBuffer.allocate(MemEntry.SIZE);
        new MemEntry(Harness.BASE, 4096).encode(oneEntry);
        assertEquals(RESP_ERR_UNSPEC, d.command(request, oneEntry.flip()).type());
        assertEquals(0, h.backend().count("attachBacking"));
    }

    @Test
    public void attachBackingOutsideGuestMemoryIsUnspecAndKeepsNothing() {
        d.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, 64, 32);
        assertEquals(RESP_ERR_UNSPEC,
                attachRaw(1, new MemEntry(Harness.BASE, 4096), new MemEntry(0xdead_0000_0000L, 4096)));
        assertEquals(0, h.backend().count("attachBacking"));
        // the resource takes a good backing afterwards: nothing of the failed one was kept
        assertEquals(RESP_OK_NODATA, type(d.attachBacking(1, d.allocateBacking(4096))));
    }

    @Test
    public void attachBackingThatTheBackendRefusesKeepsNothing() {
        d.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, 64, 32);
        h.backend().failing("attachBacking", RESP_ERR_UNSPEC);
        assertEquals(RESP_ERR_UNSPEC, type(d.attachBacking(1, d.allocateBacking(4096))));
        h.backend().failures.clear();
        assertEquals(RESP_OK_NODATA, type(d.attachBacking(1, d.allocateBacking(4096))));
    }

    @Test
    public void detachBackingLetsANewBackingAttach() {
        d.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, 64, 32);
        d.attachBacking(1, d.allocateBacking(4096));
        assertEquals(RESP_OK_NODATA, type(d.detachBacking(1)));
        assertEquals(RESP_OK_NODATA, type(d.attachBacking(1, d.allocateBacking(4096))));
    }

    @Test
    public void detachBackingWithoutBackingIsUnspec() {
        d.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, 64, 32);
        assertEquals(RESP_ERR_UNSPEC, type(d.detachBacking(1)));
        assertEquals(0, h.backend().count("detachBacking"));
    }

    @Test
    public void detachBackingOfUnknownResourceIsInvalidResourceId() {
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, type(d.detachBacking(3)));
    }

    @Test
    public void assignUuidIsStablePerResource() {
        d.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, 64, 32);
        d.resourceCreate2d(2, Formats.B8G8R8X8_UNORM, 64, 32);
        RespResourceUuid a = d.assignUuid(1);
        assertEquals(a.uuid(), d.assignUuid(1).uuid());
        UUID other = d.assignUuid(2).uuid();
        assertTrue(!a.uuid().equals(other));
    }

    @Test
    public void assignUuidOfUnknownResourceIsInvalidResourceId() {
        var request = new dev.neep.gpu.protocol.ResourceAssignUuid(d.header(CtrlType.CMD_RESOURCE_ASSIGN_UUID, 0), 4);
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, d.submit(request).await().hdr().type());
    }

    private int attachRaw(int resourceId, MemEntry... entries) {
        ResourceAttachBacking request = new ResourceAttachBacking(d.header(CtrlType.CMD_RESOURCE_ATTACH_BACKING, 0),
                resourceId, entries.length);
        ByteBuffer bytes = ByteBuffer.allocate(entries.length * MemEntry.SIZE);
        MemEntry.encodeAll(List.of(entries), bytes);
        return d.command(request, bytes.flip()).type();
    }
}
