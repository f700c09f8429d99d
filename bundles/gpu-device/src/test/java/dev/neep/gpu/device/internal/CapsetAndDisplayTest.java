package dev.neep.gpu.device.internal;

import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_PARAMETER;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_UNSPEC;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.neep.gpu.device.DeviceConfig;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.DisplayOne;
import dev.neep.gpu.protocol.GetCapset;
import dev.neep.gpu.protocol.GetCapsetInfo;
import dev.neep.gpu.protocol.GetEdid;
import dev.neep.gpu.protocol.Rect;
import dev.neep.gpu.protocol.RespCapset;
import dev.neep.gpu.protocol.RespCapsetInfo;
import dev.neep.gpu.protocol.RespDisplayInfo;
import dev.neep.gpu.protocol.RespEdid;
import dev.neep.testkit.GpuDriver;
import java.util.Arrays;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** GET_DISPLAY_INFO, GET_EDID, GET_CAPSET_INFO and GET_CAPSET. */
public class CapsetAndDisplayTest {
    private Harness h;
    private GpuDriver d;

    @Before
    public void start() {
        h = Harness.start(DeviceConfig.defaults().withMaxOutputs(2), new TestBackend.Provider("test"));
        d = h.driver;
    }

    @After
    public void stop() {
        h.close();
    }

    @Test
    public void displayInfoReportsXresByYresForEveryOutput() {
        RespDisplayInfo info = d.getDisplayInfo();
        assertEquals(new DisplayOne(new Rect(0, 0, 1024, 768), 1, 0), info.pmodes().get(0));
        assertEquals(new DisplayOne(new Rect(0, 0, 1024, 768), 1, 0), info.pmodes().get(1));
        for (int i = 2; i < 16; i++) {
            assertFalse(info.pmodes().get(i).isEnabled());
        }
    }

    @Test
    public void displayModeChangeShowsInDisplayInfoAndEdid() {
        h.device.setDisplayMode(1, 800, 600);
        assertEquals(new DisplayOne(new Rect(0, 0, 800, 600), 1, 0), d.getDisplayInfo().pmodes().get(1));
        byte[] edid = d.getEdid(1).blob();
        assertEquals(800, EdidTest.preferredWidth(edid));
        assertEquals(600, EdidTest.preferredHeight(edid));
    }

    @Test
    public void disconnectedOutputIsDisabledInDisplayInfo() {
        h.device.setDisplayMode(1, 0, 0);
        assertFalse(d.getDisplayInfo().pmodes().get(1).isEnabled());
    }

    @Test(expected = IllegalArgumentException.class)
    public void displayModeOfAnOutputThatDoesNotExistIsRefused() {
        h.device.setDisplayMode(2, 800, 600);
    }

    @Test
    public void edidIsAValid128ByteBlockOfTheOutputsMode() {
        RespEdid r = d.getEdid(0);
        assertEquals(128, r.size());
        byte[] edid = r.blob();
        assertEquals(0, EdidTest.sum(edid) & 0xff);
        assertEquals(1024, EdidTest.preferredWidth(edid));
        assertEquals(768, EdidTest.preferredHeight(edid));
    }

    @Test
    public void edidOfScanoutAtMaxOutputsIsInvalidParameter() {
        GetEdid request = new GetEdid(d.header(CtrlType.CMD_GET_EDID, 0), 2);
        assertEquals(RESP_ERR_INVALID_PARAMETER, d.submit(request).await().hdr().type());
    }

    @Test
    public void edidDisabledIsNotOfferedAndAnsweredUnspec() {
        try (Harness noEdid = Harness.start(DeviceConfig.defaults().withEdid(false), new TestBackend.Provider("t"))) {
            assertFalse(noEdid.driver.hasGpuFeature(dev.neep.gpu.protocol.GpuFeatures.EDID));
            GetEdid request = new GetEdid(noEdid.driver.header(CtrlType.CMD_GET_EDID, 0), 0);
            assertEquals(RESP_ERR_UNSPEC, noEdid.driver.submit(request).await().hdr().type());
        }
    }

    @Test
    public void capsetInfoListsTheBackendsCapsetsByIndex() {
        RespCapsetInfo first = d.getCapsetInfo(0);
        assertEquals(1, first.capsetId());
        assertEquals(1, first.capsetMaxVersion());
        assertEquals(308, first.capsetMaxSize());
        assertEquals(2, d.getCapsetInfo(1).capsetId());
    }

    @Test
    public void capsetInfoWithIndexAtNumCapsetsIsInvalidParameter() {
        GetCapsetInfo request = new GetCapsetInfo(d.header(CtrlType.CMD_GET_CAPSET_INFO, 0), 2);
        var answer = d.submit(request).await();
        assertEquals(RESP_ERR_INVALID_PARAMETER, answer.hdr().type());
    }

    @Test
    public void capsetCarriesExactlyMaxSizeBytes() {
        RespCapset c = d.getCapset(2, 2, 1376);
        assertEquals(1376, c.capsetData().length);
        byte[] expected = new byte[1376];
        Arrays.fill(expected, (byte) 2);
        assertTrue(Arrays.equals(expected, c.capsetData()));
    }

    @Test
    public void capsetOfAnIdNotOfferedIsInvalidParameter() {
        GetCapset request = new GetCapset(d.header(CtrlType.CMD_GET_CAPSET, 0), 5, 0);
        assertEquals(RESP_ERR_INVALID_PARAMETER, d.submit(request, 24 + 4096).await().hdr().type());
        assertEquals(0, h.backend().count("capset"));
    }

    @Test
    public void capsetVersionAboveMaxVersionIsInvalidParameter() {
        GetCapset request = new GetCapset(d.header(CtrlType.CMD_GET_CAPSET, 0), 1, 2);
        assertEquals(RESP_ERR_INVALID_PARAMETER, d.submit(request, 24 + 308).await().hdr().type());
    }

    @Test
    public void capsetLargerThanTheResponseBufferIsUnspec() {
        GetCapset request = new GetCapset(d.header(CtrlType.CMD_GET_CAPSET, 0), 1, 1);
        var answer = d.submit(request, 24 + 100).await();
        assertEquals(RESP_ERR_UNSPEC, answer.hdr().type());
        assertEquals(0, h.backend().count("capset"));
    }

    @Test
    public void capsetOfWrongSizeFromTheBackendIsUnspec() {
        h.backend().capsetSizeOverride = 10;
        GetCapset request = new GetCapset(d.header(CtrlType.CMD_GET_CAPSET, 0), 1, 1);
        assertEquals(RESP_ERR_UNSPEC, d.submit(request, 24 + 308).await().hdr().type());
    }

    @Test
    public void displayInfoWithTooSmallAResponseBufferIsUnspec() {
        var request = new dev.neep.gpu.protocol.GetDisplayInfo(d.header(CtrlType.CMD_GET_DISPLAY_INFO, 0));
        assertEquals(RESP_ERR_UNSPEC, d.submit(request, 24).await().hdr().type());
    }
}
