package dev.neep.gpu.device.internal;

import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_CONTEXT_ID;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_PARAMETER;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_RESOURCE_ID;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_UNSPEC;
import static dev.neep.gpu.protocol.CtrlType.RESP_OK_NODATA;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.neep.gpu.api.Fence;
import dev.neep.gpu.device.DeviceConfig;
import dev.neep.gpu.protocol.CtrlFlags;
import dev.neep.gpu.protocol.CtrlHdr;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.GpuFeatures;
import dev.neep.gpu.protocol.Rect;
import dev.neep.gpu.protocol.ResourceCreate2d;
import dev.neep.gpu.protocol.ResourceFlush;
import dev.neep.gpu.protocol.ResourceUnref;
import dev.neep.gpu.protocol.Submit3d;
import dev.neep.testkit.GpuDriver;
import dev.neep.testkit.PendingCommand;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** Fenced commands: parked per timeline, released in order on the device thread when the backend signals. */
public class FenceTest {
    private Harness h;
    private GpuDriver d;
    private TestBackend b;

    @Before
    public void start() {
        TestBackend.Provider p = new TestBackend.Provider("test");
        p.manualFences = true;
        h = Harness.start(DeviceConfig.defaults(), p);
        d = h.driver;
        b = h.backend();
    }

    @After
    public void stop() {
        h.close();
    }

    private static ByteBuffer commands() {
        return ByteBuffer.allocate(16);
    }

    private void awaitParked(int n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (h.device.parkedFences() != n && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(n, h.device.parkedFences());
    }

    @Test
    public void fencedCommandIsAnsweredOnlyWhenItsFenceSignals() {
        d.ctxCreate(1, 0, "a");
        PendingCommand c = d.submit3dFenced(1, -1, commands());
        awaitParked(1);
        assertFalse(c.isDone());
        Fence f = b.fences.get(0);
        assertEquals(new Fence(CtrlFlags.FLAG_FENCE, f.fenceId(), 1, 0), f);
        b.signal(f);
        CtrlHdr answer = c.await().hdr();
        assertEquals(RESP_OK_NODATA, answer.type());
        assertEquals(c.request().hdr().fenceId(), answer.fenceId());
        assertEquals(0, h.device.parkedFences());
    }

    @Test
    public void responseEchoesFenceFlagFenceIdContextAndRing() {
        d.ctxCreate(7, 0, "a");
        PendingCommand c = d.submit3dFenced(7, 3, commands());
        awaitParked(1);
        b.signal(b.fences.get(0));
        CtrlHdr answer = c.await().hdr();
        assertEquals(CtrlFlags.FLAG_FENCE | CtrlFlags.FLAG_INFO_RING_IDX, answer.flags());
        assertEquals(c.request().hdr().fenceId(), answer.fenceId());
        assertEquals(7, answer.ctxId());
        assertEquals(3, answer.ringIdx());
    }

    @Test
    public void signalReleasesEveryEarlierFenceOfTheTimeline() {
        d.ctxCreate(1, 0, "a");
        PendingCommand first = d.submit3dFenced(1, -1, commands());
        PendingCommand second = d.submit3dFenced(1, -1, commands());
        PendingCommand third = d.submit3dFenced(1, -1, commands());
        awaitParked(3);
        b.signal(b.fences.get(1));
        first.await();
        second.await();
        h.settle();
        assertFalse(third.isDone());
        b.signal(b.fences.get(2));
        third.await();
    }

    @Test
    public void ringsOfDifferentContextsAreSeparateTimelines() {
        d.ctxCreate(1, 0, "a");
        d.ctxCreate(2, 0, "b");
        PendingCommand ctx1 = d.submit3dFenced(1, 0, commands());   // fence 1 on (1, 0)
        PendingCommand ctx2 = d.submit3dFenced(2, 0, commands());   // fence 2 on (2, 0)
        awaitParked(2);
        b.signal(b.fences.get(1));
        ctx2.await();
        h.settle();
        // Keyed by ring index alone (as QEMU's rutabaga device does) fence 2 would release fence 1 too.
        assertFalse(ctx1.isDone());
        assertEquals(1, h.device.parkedFences());
        b.signal(b.fences.get(0));
        ctx1.await();
    }

    @Test
    public void ringsOfOneContextAreSeparateTimelines() {
        d.ctxCreate(1, 0, "a");
        PendingCommand ring0 = d.submit3dFenced(1, 0, commands());
        PendingCommand ring1 = d.submit3dFenced(1, 1, commands());
        awaitParked(2);
        b.signal(b.fences.get(1));
        ring1.await();
        h.settle();
        assertFalse(ring0.isDone());
        b.signal(b.fences.get(0));
        ring0.await();
    }

    @Test
    public void globalTimelineIgnoresTheContextOfTheSignal() {
        d.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, 32, 32);
        PendingCommand flush = d.submit(new ResourceFlush(d.fencedHeader(CtrlType.CMD_RESOURCE_FLUSH, 0),
                new dev.neep.gpu.protocol.Rect(0, 0, 32, 32), 1));
        awaitParked(1);
        Fence f = b.fences.get(0);
        assertFalse(f.onRing());
        b.signal(new Fence(CtrlFlags.FLAG_FENCE, f.fenceId(), 99, 5));
        assertEquals(RESP_OK_NODATA, flush.await().hdr().type());
    }

    @Test
    public void ringFenceDoesNotReleaseTheGlobalTimeline() {
        d.ctxCreate(1, 0, "a");
        PendingCommand global = d.submit3dFenced(1, -1, commands());
        awaitParked(1);
        b.signal(new Fence(CtrlFlags.FLAG_FENCE | CtrlFlags.FLAG_INFO_RING_IDX, b.fences.get(0).fenceId(), 1, 0));
        h.settle();
        assertFalse(global.isDone());
    }

    @Test
    public void signalFromAForeignThreadCompletesOnTheDeviceThread() throws Exception {
        d.ctxCreate(1, 0, "a");
        PendingCommand c = d.submit3dFenced(1, -1, commands());
        awaitParked(1);
        // Occupy the device thread inside a backend call; a completion running on the signalling
        // thread would finish anyway, one hopping to the device thread must wait for it.
        CountDownLatch inBackend = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        b.stalling("resourceCreate2d", () -> {
            inBackend.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        PendingCommand show = d.submit(new ResourceCreate2d(d.header(CtrlType.CMD_RESOURCE_CREATE_2D, 0), 5,
                Formats.B8G8R8X8_UNORM, 32, 32));
        assertTrue(inBackend.await(5, TimeUnit.SECONDS));
        Thread signaller = new Thread(() -> b.signal(b.fences.get(0)), "foreign");
        signaller.start();
        signaller.join(5000);
        assertFalse("the signalling thread returned", signaller.isAlive());
        Thread.sleep(50);
        assertFalse(c.isDone());
        release.countDown();
        assertEquals(RESP_OK_NODATA, c.await().hdr().type());
        assertEquals(RESP_OK_NODATA, show.await().hdr().type());
    }

    @Test
    public void errorOfAFencedCommandIsAnsweredAtOnce() {
        PendingCommand c = d.submit(new ResourceUnref(d.fencedHeader(CtrlType.CMD_RESOURCE_UNREF, 0), 42));
        CtrlHdr answer = c.await().hdr();
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, answer.type());
        assertEquals(CtrlFlags.FLAG_FENCE, answer.flags());
        assertEquals(c.request().hdr().fenceId(), answer.fenceId());
        assertEquals(0, b.count("createFence"));
    }

    @Test
    public void fenceTheBackendCannotCreateIsAnsweredWithItsError() {
        d.ctxCreate(1, 0, "a");
        b.failing("createFence", RESP_ERR_UNSPEC);
        PendingCommand c = d.submit3dFenced(1, -1, commands());
        assertEquals(RESP_ERR_UNSPEC, c.await().hdr().type());
        assertEquals(0, h.device.parkedFences());
    }

    @Test
    public void ringFenceOfUnknownContextIsInvalidContextId() {
        PendingCommand c = d.submit(new Submit3d(d.fencedHeader(CtrlType.CMD_SUBMIT_3D, 4, 0), 0));
        assertEquals(RESP_ERR_INVALID_CONTEXT_ID, c.await().hdr().type());
    }

    @Test
    public void ringFenceWithoutContextInitIsInvalidParameter() {
        long noInit = GpuDriver.Options.defaults().gpuFeatures() & ~GpuFeatures.mask(GpuFeatures.CONTEXT_INIT);
        try (Harness plain = Harness.start(DeviceConfig.defaults(), new TestBackend.Provider("test"),
                GpuDriver.Options.defaults().withGpuFeatures(noInit), 4 << 20)) {
            plain.driver.ctxCreate(1, 0, "a");
            PendingCommand c = plain.driver.submit3dFenced(1, 0, commands());
            assertEquals(RESP_ERR_INVALID_PARAMETER, c.await().hdr().type());
        }
    }

    @Test
    public void destroyingAContextReleasesTheFencesOnItsRings() {
        d.ctxCreate(1, 0, "a");
        PendingCommand c = d.submit3dFenced(1, 2, commands());
        awaitParked(1);
        assertEquals(RESP_OK_NODATA, d.ctxDestroy(1).type());
        assertEquals(RESP_OK_NODATA, c.await().hdr().type());
        assertEquals(0, h.device.parkedFences());
    }

    @Test
    public void backendIsPolledWhileFencesAreOutstanding() throws InterruptedException {
        d.ctxCreate(1, 0, "a");
        d.submit3dFenced(1, -1, commands());
        awaitParked(1);
        int before = b.polls.get();
        Thread.sleep(50);
        assertTrue("polls " + before + " -> " + b.polls.get(), b.polls.get() >= before + 10);
        b.signal(b.fences.get(0));
        h.settle();
        Thread.sleep(20);
        int after = b.polls.get();
        Thread.sleep(50);
        assertTrue("still polled without fences", b.polls.get() <= after + 1);
    }

    @Test
    public void resetDropsParkedFencesAndLateSignalsAreIgnored() {
        d.ctxCreate(1, 0, "a");
        d.submit3dFenced(1, -1, commands());
        awaitParked(1);
        Fence f = b.fences.get(0);
        h.device.reset();
        assertEquals(0, h.device.parkedFences());
        b.signal(f);
        h.settle();
        assertFalse(h.device.active());
    }

    @Test
    public void lateFenceOfThePreviousDriverDoesNotCompleteTheNextDriversCommand() {
        d.ctxCreate(1, 0, "a");
        PendingCommand old = d.submit3dFenced(1, -1, commands());
        awaitParked(1);
        Fence late = b.fences.get(0);
        h.device.reset();
        d = GpuDriver.start(h.device, h.memory, h.allocator, GpuDriver.Options.defaults());
        d.ctxCreate(1, 0, "a");
        PendingCommand next = d.submit3dFenced(1, -1, commands());
        awaitParked(1);
        // the new driver counts from 1 again, but the backend saw two different fences
        assertEquals(old.request().hdr().fenceId(), next.request().hdr().fenceId());
        assertTrue(Long.compareUnsigned(b.fences.get(1).fenceId(), late.fenceId()) > 0);
        b.signal(late);
        h.settle();
        assertFalse(next.isDone());
        assertEquals(1, h.device.parkedFences());
        b.signal(b.fences.get(1));
        assertEquals(next.request().hdr().fenceId(), next.await().hdr().fenceId());
    }

    @Test
    public void unfencedCommandsAreNotParked() {
        d.ctxCreate(1, 0, "a");
        assertEquals(RESP_OK_NODATA, d.submit3d(1, commands()).type());
        assertEquals(0, b.count("createFence"));
    }

    @Test
    public void fencedCommandsDoNotHoldBackLaterUnfencedOnes() {
        d.ctxCreate(1, 0, "a");
        PendingCommand fenced = d.submit3dFenced(1, -1, commands());
        assertEquals(RESP_OK_NODATA, d.submit3d(1, commands()).type());
        assertFalse(fenced.isDone());
        b.signal(b.fences.get(0));
        fenced.await(Duration.ofSeconds(5));
    }
}
