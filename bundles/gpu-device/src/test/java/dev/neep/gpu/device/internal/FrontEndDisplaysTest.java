package dev.neep.gpu.device.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.neep.gpu.device.DeviceConfig;
import dev.neep.gpu.device.FrontEndDisplays;
import dev.neep.gpu.device.VirtioGpu;
import dev.neep.gpu.protocol.CtrlHdr;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.DisplayOne;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.GetDisplayInfo;
import dev.neep.gpu.protocol.Rect;
import dev.neep.gpu.protocol.ResourceCreate2d;
import dev.neep.gpu.protocol.RespDisplayInfo;
import dev.neep.gpu.protocol.RespEdid;
import dev.neep.testkit.GpuDriver;
import dev.neep.testkit.GpuTimeoutException;
import dev.neep.testkit.PendingCommand;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.After;
import org.junit.Test;

/**
 * GET_DISPLAY_INFO and GET_EDID asked of a front end ({@link FrontEndDisplays}): the guest gets
 * the front end's modes, the control queue waits for them in order while the cursor queue goes
 * on, and a late, failed or invalid answer gives the configured modes with one log line.
 */
public class FrontEndDisplaysTest {
    private static final long TIMEOUT_MILLIS = 300;

    private Harness h;
    private HostFaults faults;

    /** A front end whose answers the test gives: each question is a future the test may complete. */
    private static final class TestFrontEnd implements FrontEndDisplays {
        final List<CompletableFuture<RespDisplayInfo>> displayInfoAsked = new CopyOnWriteArrayList<>();
        final List<Integer> edidAsked = new CopyOnWriteArrayList<>();
        volatile Supplier<CompletableFuture<RespDisplayInfo>> displayInfo = CompletableFuture::new;
        volatile Supplier<CompletableFuture<Optional<RespEdid>>> edid =
                () -> CompletableFuture.completedFuture(Optional.empty());

        @Override
        public CompletionStage<RespDisplayInfo> displayInfo() {
            CompletableFuture<RespDisplayInfo> f = displayInfo.get();
            displayInfoAsked.add(f);
            return f;
        }

        @Override
        public CompletionStage<Optional<RespEdid>> edid(int scanout) {
            edidAsked.add(scanout);
            return edid.get();
        }

        void answer(RespDisplayInfo info) {
            displayInfo = () -> CompletableFuture.completedFuture(info);
        }
    }

    private final TestFrontEnd frontEnd = new TestFrontEnd();

    private void start(int outputs) {
        GpuDevice device = new GpuDevice(VirtioGpu.DEFAULT_NAME, DeviceConfig.defaults().withMaxOutputs(outputs),
                TIMEOUT_MILLIS);
        faults = HostFaults.of(device);
        h = Harness.start(device, new TestBackend.Provider("test"));
        h.device.useFrontEnd(frontEnd);
    }

    @After
    public void stop() {
        if (h != null) {
            h.close();
        }
    }

    static RespDisplayInfo modes(int type, DisplayOne... outputs) {
        return RespDisplayInfo.of(CtrlHdr.of(type), List.of(outputs));
    }

    static DisplayOne mode(int width, int height) {
        return new DisplayOne(new Rect(0, 0, width, height), 1, 0);
    }

    private int firstLines() {
        String all = faults.since(0);
        return all.split("logged once per cause", -1).length - 1;
    }

    @Test
    public void theGuestGetsTheFrontEndsModesAndAnEdidOfThem() {
        start(2);
        frontEnd.answer(modes(CtrlType.RESP_OK_DISPLAY_INFO, mode(1280, 720), DisplayOne.DISABLED));
        RespDisplayInfo info = h.driver.getDisplayInfo();
        assertEquals(mode(1280, 720), info.pmodes().get(0));
        assertFalse(info.pmodes().get(1).isEnabled());
        byte[] edid = h.driver.getEdid(0).blob();
        assertEquals(List.of(0), frontEnd.edidAsked);
        assertEquals(1280, EdidTest.preferredWidth(edid));
        assertEquals(720, EdidTest.preferredHeight(edid));
        assertEquals(0, faults.count());
    }

    @Test
    public void theFrontEndsEdidIsPassedOn() {
        start(1);
        byte[] theirs = Edid.generate(1920, 1080);
        frontEnd.edid = () -> CompletableFuture.completedFuture(
                Optional.of(RespEdid.of(CtrlHdr.of(CtrlType.RESP_OK_EDID), theirs)));
        assertArrayEquals(theirs, h.driver.getEdid(0).blob());
    }

    @Test
    public void theControlQueueWaitsInOrderForTheAnswerWhileTheCursorQueueGoesOn() {
        start(1);
        PendingCommand info = h.driver.submit(new GetDisplayInfo(h.driver.header(CtrlType.CMD_GET_DISPLAY_INFO, 0)));
        int id = h.driver.newResourceId();
        PendingCommand create = h.driver.submit(new ResourceCreate2d(
                h.driver.header(CtrlType.CMD_RESOURCE_CREATE_2D, 0), id, Formats.B8G8R8X8_UNORM, 64, 64));
        h.driver.moveCursor(0, 10, 20); // the cursor queue is not held: its chain comes back

        assertThrows(GpuTimeoutException.class, () -> info.awaitUsed(Duration.ofMillis(TIMEOUT_MILLIS / 3)));
        assertEquals("the command after GET_DISPLAY_INFO ran before its answer", 0, h.device.resourceCount());
        assertEquals(1, frontEnd.displayInfoAsked.size());

        frontEnd.displayInfoAsked.get(0).complete(modes(CtrlType.RESP_OK_DISPLAY_INFO, mode(800, 600)));
        assertEquals(mode(800, 600), ((RespDisplayInfo) info.await()).pmodes().get(0));
        assertEquals(CtrlType.RESP_OK_NODATA, create.await().hdr().type());
        assertEquals(1, h.device.resourceCount());
        assertEquals(0, faults.count());
    }

    @Test
    public void noAnswerInTimeGivesTheConfiguredModesLoggedOnce() {
        start(1);
        long t0 = System.nanoTime();
        assertEquals(mode(1024, 768), h.driver.getDisplayInfo().pmodes().get(0));
        assertTrue("answered before the timeout", System.nanoTime() - t0 >= TIMEOUT_MILLIS * 1_000_000);
        assertEquals(mode(1024, 768), h.driver.getDisplayInfo().pmodes().get(0));
        assertEquals(faults.since(0), 1, firstLines());
        assertTrue(faults.since(0), faults.since(0).contains("GET_DISPLAY_INFO: no answer"));

        // an answer that comes after the timeout changes nothing, and the next question is answered
        frontEnd.displayInfoAsked.get(0).complete(modes(CtrlType.RESP_OK_DISPLAY_INFO, mode(640, 480)));
        frontEnd.answer(modes(CtrlType.RESP_OK_DISPLAY_INFO, mode(800, 600)));
        assertEquals(mode(800, 600), h.driver.getDisplayInfo().pmodes().get(0));
    }

    @Test
    public void aMalformedAnswerGivesTheConfiguredModesLoggedOnce() {
        start(1);
        frontEnd.answer(modes(CtrlType.RESP_OK_DISPLAY_INFO, mode(800, 600)));
        assertEquals(mode(800, 600), h.driver.getDisplayInfo().pmodes().get(0));

        // too wide for an EDID timing: not the front end's previous modes, the configured ones
        frontEnd.answer(modes(CtrlType.RESP_OK_DISPLAY_INFO, mode(5000, 600)));
        assertEquals(mode(1024, 768), h.driver.getDisplayInfo().pmodes().get(0));
        assertEquals(mode(1024, 768), h.driver.getDisplayInfo().pmodes().get(0));
        assertEquals(faults.since(0), 1, firstLines());
        assertTrue(faults.since(0), faults.since(0).contains("5000x600"));
        assertEquals(1024, EdidTest.preferredWidth(h.driver.getEdid(0).blob()));
    }

    @Test
    public void anErrorAnswerOrAFailedQuestionGivesTheConfiguredModes() {
        start(1);
        frontEnd.answer(modes(CtrlType.RESP_ERR_UNSPEC));
        assertEquals(mode(1024, 768), h.driver.getDisplayInfo().pmodes().get(0));
        frontEnd.displayInfo = () -> CompletableFuture.failedFuture(new IllegalStateException("channel closed"));
        assertEquals(mode(1024, 768), h.driver.getDisplayInfo().pmodes().get(0));
        assertTrue(faults.since(0), faults.since(0).contains("RESP_ERR_UNSPEC"));
        assertTrue(faults.since(0), faults.since(0).contains("channel closed"));
    }

    @Test
    public void aMalformedEdidGivesAnEdidOfTheMode() {
        start(1);
        frontEnd.answer(modes(CtrlType.RESP_OK_DISPLAY_INFO, mode(1280, 720)));
        h.driver.getDisplayInfo();
        frontEnd.edid = () -> CompletableFuture.completedFuture(
                Optional.of(RespEdid.of(CtrlHdr.of(CtrlType.RESP_OK_EDID), new byte[100])));
        byte[] edid = h.driver.getEdid(0).blob();
        assertEquals(1280, EdidTest.preferredWidth(edid));
        assertEquals(1, firstLines());
        assertTrue(faults.since(0), faults.since(0).contains("EDID size 100"));
    }

    @Test
    public void anOutputBeyondMaxOutputsIsNotOfferedAndSaidOnce() {
        start(1);
        frontEnd.answer(modes(CtrlType.RESP_OK_DISPLAY_INFO, mode(1280, 720), mode(800, 600)));
        RespDisplayInfo info = h.driver.getDisplayInfo();
        assertEquals(mode(1280, 720), info.pmodes().get(0));
        assertFalse(info.pmodes().get(1).isEnabled());
        assertEquals(1, firstLines());
        assertTrue(faults.since(0), faults.since(0).contains("max_outputs"));
    }

    @Test
    public void withoutTheFrontEndTheConfiguredModesAnswerAgain() {
        start(1);
        frontEnd.answer(modes(CtrlType.RESP_OK_DISPLAY_INFO, mode(1920, 1080)));
        assertEquals(mode(1920, 1080), h.driver.getDisplayInfo().pmodes().get(0));
        h.device.useFrontEnd(null);
        assertEquals(mode(1024, 768), h.driver.getDisplayInfo().pmodes().get(0));
        assertEquals(1, frontEnd.displayInfoAsked.size());
    }

    @Test
    public void aResetDropsTheCommandWaitingForTheFrontEnd() {
        start(1);
        h.driver.submit(new GetDisplayInfo(h.driver.header(CtrlType.CMD_GET_DISPLAY_INFO, 0)));
        h.settle();
        assertEquals(1, frontEnd.displayInfoAsked.size());
        h.device.reset();
        frontEnd.displayInfoAsked.get(0).complete(modes(CtrlType.RESP_OK_DISPLAY_INFO, mode(800, 600)));
        h.driver = GpuDriver.start(h.device, h.memory, h.allocator, GpuDriver.Options.defaults());
        frontEnd.answer(modes(CtrlType.RESP_OK_DISPLAY_INFO, mode(1280, 720)));
        assertEquals(mode(1280, 720), h.driver.getDisplayInfo().pmodes().get(0));
        assertEquals(faults.since(0), 0, faults.count());
    }
}
