package dev.neep.gpu.device.internal;

import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_PARAMETER;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_RESOURCE_ID;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_SCANOUT_ID;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_UNSPEC;
import static dev.neep.gpu.protocol.CtrlType.RESP_OK_NODATA;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.neep.gpu.protocol.CtrlHdr;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.GetCapset;
import dev.neep.gpu.protocol.GetCapsetInfo;
import dev.neep.gpu.protocol.Rect;
import dev.neep.gpu.protocol.SetScanout;
import dev.neep.testkit.Backing;
import dev.neep.testkit.GpuDriver;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The guest inputs of the known virtio-gpu CVEs, replayed. Each asserts the exact answer, that
 * nothing of the failed command stays behind, and that the device's open resources and
 * accounted host memory are back where they started.
 */
public class KnownCveReplayTest {
    private static final int ROUNDS = 100;

    private Harness h;
    private GpuDriver d;
    private int resourcesBefore;
    private long hostmemBefore;

    @Before
    public void start() {
        h = Harness.start();
        d = h.driver;
        resourcesBefore = h.device.resourceCount();
        hostmemBefore = h.device.hostMemoryUsed();
    }

    @After
    public void stop() {
        h.close();
    }

    private void assertBackToStart() {
        assertEquals("open resources", resourcesBefore, h.device.resourceCount());
        assertEquals("accounted host memory", hostmemBefore, h.device.hostMemoryUsed());
        assertEquals("resources in the backend", 0, h.backend().resources.size());
        assertEquals("backing held by the backend", 0, h.backend().backing.size());
        assertEquals("parked fences", 0, h.device.parkedFences());
    }

    /** CVE-2016-10029: SET_SCANOUT disabling a scanout id beyond max_outputs read outside the scanout array. */
    @Test
    public void cve2016_10029_setScanoutOfResourceZeroOnABadScanoutId() {
        for (int scanout : new int[] {1, 16, 0x7fffffff, -1}) {
            SetScanout s = new SetScanout(d.header(CtrlType.CMD_SET_SCANOUT, 0), new Rect(0, 0, 0, 0), scanout, 0);
            assertEquals(RESP_ERR_INVALID_SCANOUT_ID, d.command(s).type());
        }
        h.settle();
        assertTrue(h.sink.events().isEmpty());
        assertBackToStart();
    }

    /** CVE-2016-9845: GET_CAPSET_INFO answered with uninitialized bytes. */
    @Test
    public void cve2016_9845_capsetInfoLeaksNothing() {
        ProcessorHarness p = new ProcessorHarness();
        BufferChain.Writer out = new BufferChain.Writer(64, 0xaa);
        p.process(out, ProcessorHarness.bytes(new GetCapsetInfo(CtrlHdr.of(CtrlType.CMD_GET_CAPSET_INFO), 0)));
        assertEquals(40, out.written());
        for (int i : new int[] {21, 22, 23, 36, 37, 38, 39}) {
            assertEquals("padding byte " + i, 0, out.bytes[i]);
        }
    }

    /** CVE-2016-9908: GET_CAPSET answered from a buffer not wholly initialized. */
    @Test
    public void cve2016_9908_capsetAnswerIsHeaderAndExactlyTheCapset() {
        ProcessorHarness p = new ProcessorHarness();
        BufferChain.Writer out = new BufferChain.Writer(24 + 308 + 16, 0xaa);
        p.process(out, ProcessorHarness.bytes(new GetCapset(CtrlHdr.of(CtrlType.CMD_GET_CAPSET), 1, 1)));
        assertEquals(24 + 308, out.written());
        assertEquals(CtrlType.RESP_OK_CAPSET, CtrlHdr.decode(out.writtenBytes()).value().type());
        for (int i = 20; i < 24; i++) {
            assertEquals(0, out.bytes[i]);
        }
        assertEquals((byte) 0xaa, out.bytes[24 + 308]);
    }

    /** CVE-2016-10028: GET_CAPSET of a capset the renderer reports with max_size 0 read out of bounds. */
    @Test
    public void cve2016_10028_capsetOfAnIdNotOfferedIsRefusedBeforeTheBackend() {
        for (int id : new int[] {0, 3, 5, 0x7fffffff, -1}) {
            GetCapset g = new GetCapset(d.header(CtrlType.CMD_GET_CAPSET, 0), id, 0);
            assertEquals(RESP_ERR_INVALID_PARAMETER, d.submit(g, 24 + 4096).await().hdr().type());
        }
        assertEquals(0, h.backend().count("capset"));
        assertBackToStart();
    }

    /** CVE-2021-3545: vhost-user-gpu's GET_CAPSET_INFO leaked memory for a capset index that does not exist. */
    @Test
    public void cve2021_3545_capsetInfoOfABadIndexIsAnErrorHeaderOnly() {
        for (int index : new int[] {2, 100, -1}) {
            GetCapsetInfo g = new GetCapsetInfo(d.header(CtrlType.CMD_GET_CAPSET_INFO, 0), index);
            var c = d.submit(g);
            assertEquals(RESP_ERR_INVALID_PARAMETER, c.await().hdr().type());
            assertEquals(24, c.usedLength());
        }
        assertBackToStart();
    }

    /** CVE-2021-3546: vhost-user-gpu's GET_CAPSET wrote past its buffer for a bad id, version or size. */
    @Test
    public void cve2021_3546_capsetWithBadVersionOrTooSmallABufferWritesNothingBeyond() {
        GetCapset badVersion = new GetCapset(d.header(CtrlType.CMD_GET_CAPSET, 0), 1, 7);
        var v = d.submit(badVersion, 24 + 308);
        assertEquals(RESP_ERR_INVALID_PARAMETER, v.await().hdr().type());
        assertEquals(24, v.usedLength());
        GetCapset small = new GetCapset(d.header(CtrlType.CMD_GET_CAPSET, 0), 2, 2);
        var s = d.submit(small, 24 + 64);
        assertEquals(RESP_ERR_UNSPEC, s.await().hdr().type());
        assertEquals(24, s.usedLength());
        assertEquals(0, h.backend().count("capset"));
        assertBackToStart();
    }

    /** CVE-2016-9846: UPDATE_CURSOR of a resource whose size is not the cursor's leaked its pixels. */
    @Test
    public void cve2016_9846_cursorOfMismatchedSizeIsIgnoredAndKeepsNothing() {
        d.resourceCreate2d(1, Formats.B8G8R8A8_UNORM, 32, 32);
        long hostmem = h.device.hostMemoryUsed();
        for (int i = 0; i < ROUNDS; i++) {
            d.updateCursor(0, i, i, 1, 0, 0);
        }
        h.settle();
        assertEquals(0, h.backend().count("frame"));
        assertNull(h.sink.cursors().get(0));
        assertFalse(h.sink.events().stream().anyMatch(e -> e.startsWith("cursor")));
        assertEquals(1, h.device.resourceCount());
        assertEquals(hostmem, h.device.hostMemoryUsed());
        assertEquals(RESP_OK_NODATA, d.resourceUnref(1).type());
        assertBackToStart();
    }

    /** CVE-2016-7994: every failing RESOURCE_CREATE_2D leaked the resource it had allocated. */
    @Test
    public void cve2016_7994_repeatedFailingCreate2dLeavesNothing() {
        for (int i = 0; i < ROUNDS; i++) {
            assertEquals(RESP_ERR_INVALID_PARAMETER, d.resourceCreate2d(1 + i, 0xdead, 64, 64).type());
            assertEquals(RESP_ERR_INVALID_RESOURCE_ID, d.resourceCreate2d(0, Formats.B8G8R8X8_UNORM, 64, 64).type());
            assertEquals(CtrlType.RESP_ERR_OUT_OF_MEMORY,
                    d.resourceCreate2d(1 + i, Formats.B8G8R8X8_UNORM, 65535, 65535).type());
        }
        assertEquals(0, h.backend().count("resourceCreate2d"));
        assertBackToStart();
    }

    /** CVE-2017-5578: a second ATTACH_BACKING leaked the first mapping. */
    @Test
    public void cve2017_5578_attachTwiceIsUnspecAndKeepsOnlyTheFirst() {
        d.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, 64, 64);
        Backing first = d.allocateBacking(64 * 64 * 4);
        assertEquals(RESP_OK_NODATA, d.attachBacking(1, first).type());
        for (int i = 0; i < ROUNDS; i++) {
            Backing again = d.allocateBacking(4096);
            assertEquals(RESP_ERR_UNSPEC, d.attachBacking(1, again).type());
            again.release();
        }
        assertEquals(1, h.backend().count("attachBacking"));
        assertEquals(RESP_OK_NODATA, d.resourceUnref(1).type());
        assertBackToStart();
    }

    /** CVE-2017-5552: an ATTACH_BACKING that the renderer refused leaked its mapping. */
    @Test
    public void cve2017_5552_failingAttachKeepsNoMapping() {
        d.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, 64, 64);
        h.backend().failing("attachBacking", RESP_ERR_UNSPEC);
        for (int i = 0; i < ROUNDS; i++) {
            Backing b = d.allocateBacking(64 * 64 * 4);
            assertEquals(RESP_ERR_UNSPEC, d.attachBacking(1, b).type());
            b.release();
        }
        // also failing before the backend: pages outside guest memory
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, d.attachBacking(2, d.allocateBacking(4096)).type());
        h.backend().failures.clear();
        // nothing of the failed attaches was kept: a good one is still the first
        assertEquals(RESP_OK_NODATA, d.attachBacking(1, d.allocateBacking(64 * 64 * 4)).type());
        assertEquals(RESP_OK_NODATA, d.resourceUnref(1).type());
        assertBackToStart();
    }

    /** CVE-2017-5857: RESOURCE_UNREF without DETACH_BACKING leaked the backing (virgl). */
    @Test
    public void cve2017_5857_unrefWithoutDetachReleasesTheBacking() {
        for (int i = 0; i < ROUNDS; i++) {
            d.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, 64, 64);
            d.attachBacking(1, d.allocateBacking(64 * 64 * 4));
            assertTrue(h.backend().backing.containsKey(1));
            assertEquals(RESP_OK_NODATA, d.resourceUnref(1).type());
            assertFalse(h.backend().backing.containsKey(1));
        }
        assertBackToStart();
    }

    /** CVE-2016-9912: destroying a resource with backing attached leaked the mapping (2D). */
    @Test
    public void cve2016_9912_unrefWithBackingAttachedReleasesIt() {
        d.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, 64, 64);
        d.attachBacking(1, d.allocateBacking(64 * 64 * 4));
        d.setScanout(0, 1, new Rect(0, 0, 64, 64));
        assertEquals(RESP_OK_NODATA, d.resourceUnref(1).type());
        h.settle();
        assertEquals(1, h.backend().count("resourceUnref"));
        assertEquals(0, h.backend().count("detachBacking"));
        assertTrue(h.sink.scanouts().isEmpty());
        // the id is free again and nothing of the old backing is attached to the new resource
        d.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, 64, 64);
        assertEquals(RESP_ERR_UNSPEC, d.transferToHost2d(1, new Rect(0, 0, 64, 64), 0).type());
        assertEquals(RESP_OK_NODATA, d.resourceUnref(1).type());
        assertBackToStart();
    }
}
