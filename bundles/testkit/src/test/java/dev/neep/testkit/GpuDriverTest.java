package dev.neep.testkit;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.neep.gpu.protocol.CapsetIds;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.GpuEvents;
import dev.neep.gpu.protocol.GpuFeatures;
import dev.neep.gpu.protocol.MemEntry;
import dev.neep.gpu.protocol.Rect;
import dev.neep.gpu.protocol.Request;
import dev.neep.gpu.protocol.ResourceAttachBacking;
import dev.neep.gpu.protocol.ResourceCreate2d;
import dev.neep.gpu.protocol.RespDisplayInfo;
import dev.neep.gpu.protocol.UpdateCursor;
import dev.neep.virtio.GuestMemories;
import dev.neep.virtio.GuestMemory;
import dev.neep.virtio.VirtioFeatures;
import dev.neep.virtio.driver.GuestAllocator;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.After;
import org.junit.Test;

/** The driver's queue plumbing, negotiation, waits and fences, against a small fake device. */
public class GpuDriverTest {
    private static final long BASE = 0x1000_0000L;
    private static final int SIZE = 16 << 20;

    private final GuestMemory memory = GuestMemories.heap(BASE, SIZE);
    private final GuestAllocator allocator = new GuestAllocator(BASE, SIZE);
    private final FakeGpuDevice device = new FakeGpuDevice();
    private GpuDriver driver;

    private GpuDriver start(GpuDriver.Options options) {
        driver = GpuDriver.start(device, memory, allocator, options);
        return driver;
    }

    private GpuDriver start() {
        return start(GpuDriver.Options.defaults().withTimeout(Duration.ofSeconds(5)));
    }

    @After
    public void stop() throws InterruptedException {
        if (driver != null) {
            driver.close();
        }
        device.shutdown();
    }

    private List<Integer> requestTypes() {
        synchronized (device.requests) {
            return device.requests.stream().map(r -> r.hdr().type()).collect(Collectors.toList());
        }
    }

    @Test
    public void negotiatesVersion1EventIdxAndTheOfferedGpuFeatures() {
        start();
        long expected = VirtioFeatures.bit(VirtioFeatures.VIRTIO_F_VERSION_1)
                | VirtioFeatures.bit(VirtioFeatures.VIRTIO_RING_F_EVENT_IDX) | FakeGpuDevice.GPU_FEATURES;
        assertEquals(expected, device.driverFeatures);
        assertEquals(expected, driver.features());
        assertTrue(driver.hasGpuFeature(GpuFeatures.CONTEXT_INIT));
    }

    @Test
    public void acceptsOnlyTheGpuFeaturesAskedFor() {
        start(GpuDriver.Options.defaults().withGpuFeatures(GpuFeatures.mask(GpuFeatures.EDID)).withEventIdx(false));
        assertEquals(VirtioFeatures.bit(VirtioFeatures.VIRTIO_F_VERSION_1) | GpuFeatures.mask(GpuFeatures.EDID),
                device.driverFeatures);
    }

    @Test
    public void refusesADeviceWithoutVersion1() {
        device.offeredFeatures = FakeGpuDevice.GPU_FEATURES;
        try {
            start();
            fail();
        } catch (IllegalStateException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("VIRTIO_F_VERSION_1"));
        }
        assertEquals(-1, device.driverFeatures);
    }

    @Test
    public void getDisplayInfoAnswersTheDevicesModes() {
        RespDisplayInfo info = start().getDisplayInfo();
        assertEquals(new Rect(0, 0, 1024, 768), info.pmodes().get(0).r());
        assertTrue(info.pmodes().get(0).isEnabled());
        assertTrue(driver.queueInterrupts(GpuDriver.CONTROL_QUEUE) >= 1);
    }

    @Test
    public void drawImageLeavesTheCallersPixelsInTheResource() {
        int w = 7;
        int h = 5;
        int[] argb = new int[w * h];
        for (int i = 0; i < argb.length; i++) {
            argb[i] = 0xff000000 | i * 0x010305;
        }
        GpuDriver.PatternResource drawn = start().drawImage(0, w, h, argb);
        assertEquals(CtrlType.CMD_RESOURCE_FLUSH, (int) requestTypes().get(requestTypes().size() - 1));
        int[] pixels = device.resources.get(drawn.resourceId()).pixels();
        for (int i = 0; i < argb.length; i++) {
            assertEquals("pixel " + i, argb[i] & 0xffffff, pixels[i] & 0xffffff);
        }
    }

    @Test
    public void drawImageRefusesAnImageOfAnotherSize() {
        GpuDriver d = start();
        try {
            d.drawImage(0, 4, 4, new int[15]);
            fail("15 pixels taken as 4x4");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("4x4 has 16 pixels, not 15"));
        }
        assertEquals(List.of(), requestTypes());
    }

    @Test
    public void startWithTheDeviceAloneGivesItDefaultMemory() {
        driver = GpuDriver.start(device);
        long base = GpuDriver.DEFAULT_MEMORY_BASE;
        long end = base + GpuDriver.DEFAULT_MEMORY_SIZE;
        assertTrue(driver.memory().contains(base, GpuDriver.DEFAULT_MEMORY_SIZE));
        assertTrue(!driver.memory().contains(end, 1));
        GpuDriver.PatternResource drawn = driver.drawPattern(64, 48);
        assertEquals(TestPattern.compare(device.resources.get(drawn.resourceId()).pixels(), 64, 64, 48)
                .orElse("match"), "match");
    }

    @Test
    public void drawPatternDoesWhatLinuxDoesAndLeavesThePatternInTheResource() {
        GpuDriver.PatternResource drawn = start().drawPattern(320, 200);
        assertEquals(List.of(CtrlType.CMD_RESOURCE_CREATE_2D, CtrlType.CMD_RESOURCE_ATTACH_BACKING,
                CtrlType.CMD_SET_SCANOUT, CtrlType.CMD_TRANSFER_TO_HOST_2D, CtrlType.CMD_RESOURCE_FLUSH),
                requestTypes());
        ResourceCreate2d create = (ResourceCreate2d) device.requests.get(0);
        assertEquals(Formats.B8G8R8X8_UNORM, create.format());
        FakeGpuDevice.Resource resource = device.resources.get(drawn.resourceId());
        assertEquals(TestPattern.compare(resource.pixels(), 320, 320, 200).orElse("match"), "match");
        // 320 * 200 * 4 bytes in 64 KiB runs
        assertEquals(4, drawn.backing().entries().size());
    }

    @Test
    public void attachBackingSendsEveryEntry() {
        start(GpuDriver.Options.defaults().withBackingChunk(4096));
        int id = driver.newResourceId();
        driver.resourceCreate2d(id, Formats.B8G8R8A8_UNORM, 128, 128);
        Backing backing = driver.allocateBacking(128 * 128 * 4);
        assertEquals(CtrlType.RESP_OK_NODATA, driver.attachBacking(id, backing).type());
        assertEquals(16, ((ResourceAttachBacking) device.requests.get(1)).nrEntries());
        assertEquals(backing.entries(), device.resources.get(id).entries());
    }

    @Test
    public void backingWritesSpanEntries() {
        start(GpuDriver.Options.defaults().withBackingChunk(4096));
        Backing backing = driver.allocateBacking(3 * 4096);
        byte[] data = new byte[6000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        backing.write(3000, ByteBuffer.wrap(data));
        ByteBuffer back = ByteBuffer.allocate(6000);
        backing.read(3000, back);
        assertArrayEquals(data, back.array());
        MemEntry second = backing.entries().get(1);
        assertEquals(data[4096 - 3000], memory.readByte(second.addr()));
    }

    @Test
    public void errorAnswersComeBackAsTheResponseHeader() {
        assertEquals(CtrlType.RESP_ERR_INVALID_PARAMETER, start().resourceCreate2d(1, 99, 8, 8).type());
    }

    @Test
    public void anErrorWhereDataWasExpectedThrowsWithTheResponseType() {
        try {
            start().getCapsetInfo(5);
            fail();
        } catch (GpuCommandException expected) {
            assertEquals(CtrlType.RESP_ERR_INVALID_PARAMETER, expected.responseType());
            assertTrue(expected.getMessage(), expected.getMessage().contains("CMD_GET_CAPSET_INFO"));
        }
    }

    @Test
    public void capsetEdidUuidAndMapInfoDecode() {
        start();
        assertEquals(CapsetIds.VIRGL2, driver.getCapsetInfo(0).capsetId());
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, driver.getCapset(CapsetIds.VIRGL2, 2, 8).capsetData());
        assertEquals(128, driver.getEdid(0).size());
        assertEquals(FakeGpuDevice.UUID_ANSWER, driver.assignUuid(1).uuid());
        assertEquals(1, driver.mapBlob(1, 0).mapInfo());
    }

    @Test
    public void submit3dSendsTheCommandBytesAfterTheHeader() {
        start();
        int ctx = driver.newContextId();
        assertEquals(CtrlType.RESP_OK_NODATA, driver.ctxCreate(ctx, CapsetIds.VENUS, "test").type());
        byte[] commands = {9, 8, 7, 6, 5, 4, 3, 2};
        assertEquals(CtrlType.RESP_OK_NODATA, driver.submit3d(ctx, ByteBuffer.wrap(commands)).type());
        assertArrayEquals(commands, device.submitted.get(0));
        assertEquals(ctx, device.requests.get(1).hdr().ctxId());
    }

    @Test
    public void fencedSubmitSignalsTheGlobalTimeline() {
        start();
        PendingCommand submit = driver.submit3dFenced(1, -1, ByteBuffer.wrap(new byte[4]));
        long fence = submit.request().hdr().fenceId();
        driver.awaitFence(fence);
        assertEquals(fence, driver.signalledFence());
        assertEquals(0, driver.signalledFence(1, 0));
    }

    @Test
    public void ringFencesAreSignalledPerRingAndAWaitReportsWhatItSaw() {
        device.holdFencedSubmits = true;
        start(GpuDriver.Options.defaults().withTimeout(Duration.ofMillis(300)));
        long first = driver.submit3dFenced(2, 0, ByteBuffer.wrap(new byte[4])).request().hdr().fenceId();
        long second = driver.submit3dFenced(2, 1, ByteBuffer.wrap(new byte[4])).request().hdr().fenceId();
        try {
            driver.awaitFence(2, 1, second);
            fail();
        } catch (GpuTimeoutException expected) {
            String m = expected.getMessage();
            assertTrue(m, m.contains("fence " + second + " on ctx 2 ring 1"));
            assertTrue(m, m.contains("outstanding [CMD_SUBMIT_3D"));
            assertTrue(m, m.contains("control queue: avail idx 2, used idx 0"));
        }
        device.releaseHeld();
        driver.awaitFence(2, 1, second);
        assertEquals(first, driver.signalledFence(2, 0));
        assertEquals(second, driver.signalledFence(2, 1));
        assertEquals(0, driver.signalledFence());
    }

    @Test
    public void anAnswerWithoutAnInterruptIsReported() {
        device.interruptsMuted = true;
        start(GpuDriver.Options.defaults().withTimeout(Duration.ofMillis(300)));
        try {
            driver.getDisplayInfo();
            fail();
        } catch (GpuTimeoutException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("no interrupt"));
        }
    }

    @Test
    public void pollingModeDoesNotNeedInterrupts() {
        device.interruptsMuted = true;
        start(GpuDriver.Options.defaults().withRequireInterrupts(false));
        assertTrue(driver.getDisplayInfo().pmodes().get(0).isEnabled());
    }

    @Test
    public void cursorCommandsGoToTheCursorQueueWithoutAResponse() {
        start();
        driver.updateCursor(0, 10, 20, 3, 1, 2);
        driver.moveCursor(0, 30, 40);
        List<Request> seen = List.copyOf(device.cursor);
        assertEquals(2, seen.size());
        assertEquals(CtrlType.CMD_UPDATE_CURSOR, seen.get(0).hdr().type());
        assertEquals(30, ((UpdateCursor) seen.get(1)).pos().x());
        assertTrue(device.requests.isEmpty());
        assertTrue(driver.queueInterrupts(GpuDriver.CURSOR_QUEUE) >= 1);
    }

    @Test
    public void worksWithoutEventIdx() {
        start(GpuDriver.Options.defaults().withEventIdx(false));
        GpuDriver.PatternResource drawn = driver.drawPattern(64, 48);
        assertEquals(TestPattern.compare(device.resources.get(drawn.resourceId()).pixels(), 64, 64, 48)
                .orElse("match"), "match");
    }

    @Test
    public void indicesWrapAroundASmallRingAndBuffersAreFreed() {
        start(GpuDriver.Options.defaults().withQueueSize(4));
        long free = allocator.freeBytes();
        for (int i = 0; i < 70_000 / 100; i++) {
            driver.getDisplayInfo();
        }
        assertEquals(free, allocator.freeBytes());
        assertEquals(4, driver.queue(GpuDriver.CONTROL_QUEUE).size());
    }

    @Test
    public void rawBytesThatDoNotDecodeAreAnsweredByTheDevice() {
        start();
        PendingCommand raw = driver.submitRaw(GpuDriver.CONTROL_QUEUE, List.of(ByteBuffer.wrap(new byte[10])), 24);
        assertEquals(CtrlType.RESP_ERR_UNSPEC, raw.await().hdr().type());
    }

    @Test
    public void configChangeInterruptAndEventAcknowledge() {
        start();
        device.displayChanged();
        driver.awaitConfigInterrupts(1);
        assertEquals(GpuEvents.EVENT_DISPLAY, driver.config().eventsRead());
        driver.clearEvents(GpuEvents.EVENT_DISPLAY);
        assertEquals(0, driver.config().eventsRead());
        assertEquals(1, driver.config().numScanouts());
    }

    @Test
    public void closeResetsTheDeviceAndGivesTheRingsBack() {
        long free = allocator.freeBytes();
        start();
        GpuDriver.PatternResource drawn = driver.drawPattern(16, 16);
        drawn.backing().release();
        driver.close();
        driver = null;
        assertEquals(1, device.resets);
        assertEquals(free, allocator.freeBytes());
    }
}
