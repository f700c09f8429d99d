package dev.neep.gpu.vga.internal;

import static dev.neep.gpu.vga.internal.HandOverTest.MMIO;
import static dev.neep.gpu.vga.internal.HandOverTest.RAM;
import static dev.neep.gpu.vga.internal.HandOverTest.RAM_SIZE;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.neep.backend2d.Backend2d;
import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.api.Pixels;
import dev.neep.gpu.api.Scanout;
import dev.neep.gpu.api.ScanoutId;
import dev.neep.gpu.device.DeviceConfig;
import dev.neep.gpu.device.VirtioGpu;
import dev.neep.gpu.protocol.Rect;
import dev.neep.testkit.GpuDriver;
import dev.neep.testkit.TestPattern;
import dev.neep.virtio.GuestMemories;
import dev.neep.virtio.RegionGuestMemory;
import dev.neep.virtio.driver.GuestAllocator;
import dev.neep.virtio.pci.driver.VirtioPciDriver;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * A sink that blocks and a sink that throws, bound to the GPU device beside a well-behaved one
 * while the VGA picture shows: neither the display tick ({@code refresh}) nor the hand-over
 * (DRIVER_OK written on a vCPU thread) waits for them, the well-behaved sink gets every VGA
 * picture pixel-exact and ends on the newest, and the blocked sink, once released, ends on what
 * the screen shows last after a bounded number of calls.
 */
public class MisbehavingSinksWhileVgaShowsTest {
    private static final int W = 64;
    private static final int H = 48;
    private static final int FRAMES = 30;
    /** What "promptly" means on a loaded machine; a call that waited for the blocked sink would take 30 s. */
    private static final long PROMPT_MS = 2_000;
    private static final Duration BOUND = Duration.ofSeconds(10);

    private VirtioGpu device;
    private RegionGuestMemory memory;
    private VirtioVga vga;
    private VirtioPciDriver pci;
    private final BlockingSink blocking = new BlockingSink();
    private final AtomicInteger thrown = new AtomicInteger();
    private final RecordingSink sink = new RecordingSink();
    private final ExecutorService vcpu = Executors.newSingleThreadExecutor(r -> new Thread(r, "vcpu"));

    @Before
    public void start() throws Exception {
        device = VirtioGpu.create(DeviceConfig.defaults(), Backend2d.provider());
        memory = GuestMemories.heap(RAM, RAM_SIZE);
        vga = new VirtioVga(device, memory, VirtioVga.Options.defaults());
        pci = VirtioPciDriver.probe(vga, MMIO);
        device.addSink(blocking);
        device.addSink(new DisplaySink() {
            @Override
            public void scanoutChanged(ScanoutId id, Scanout scanout) {
                thrown.incrementAndGet();
                throw new IllegalStateException("a sink that always throws");
            }

            @Override
            public void frameUpdated(ScanoutId id, Rect dirty, Pixels pixels) {
                thrown.incrementAndGet();
                throw new IllegalStateException("a sink that always throws");
            }
        });
        device.addSink(sink);
    }

    @After
    public void stop() {
        blocking.release.countDown();
        vcpu.shutdownNow();
        vga.close();
        device.close();
    }

    @Test
    public void neitherRefreshNorTheHandOverWaitsForABlockingOrAThrowingSink() throws Exception {
        firmwareSetsMode();
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                vga.barWrite(VirtioVga.VRAM_BAR, 4L * (y * W + x), 4, TestPattern.xrgb(x, y, W, H));
            }
        }
        promptly("refresh", vga::refresh);
        assertEquals(List.of("scanout 0 64x48 resource 0", "frame 0 0,0 64x48"), sink.awaitCalls(2, BOUND));
        assertEquals(Optional.empty(), TestPattern.compare(sink.picture(0), W, W, H));
        assertTrue("the blocking sink is inside its first call", blocking.entered.await(10, TimeUnit.SECONDS));

        for (int i = 1; i <= FRAMES; i++) {
            int rgb = i * 0x010203;
            fill(rgb);
            promptly("refresh " + i, vga::refresh);
            assertEquals(List.of("frame 0 0,0 64x48"), sink.awaitCalls(1, BOUND));
            int[] picture = sink.picture(0);
            for (int p = 0; p < picture.length; p++) {
                if (picture[p] != (0xff00_0000 | rgb)) {
                    fail("picture " + i + " pixel " + p + ": " + Integer.toHexString(picture[p]));
                }
            }
        }
        assertEquals("the blocking sink is still inside its first call", 1, blocking.calls.get());
        long end = System.nanoTime() + BOUND.toNanos();
        while (thrown.get() < 2) {
            assertTrue("the throwing sink is called again after it threw", System.nanoTime() < end);
            Thread.sleep(5);
        }

        Future<GpuDriver> started = vcpu.submit(() -> GpuDriver.start(pci.asVirtioDevice(), memory,
                new GuestAllocator(RAM, RAM_SIZE), GpuDriver.Options.defaults()));
        long t0 = System.nanoTime();
        GpuDriver driver = started.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
        assertTrue("DRIVER_OK on the vCPU thread returned promptly",
                System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(PROMPT_MS));
        try {
            assertEquals(List.of("scanout 0 off"), sink.awaitCalls(1, BOUND));
            // The device serves the driver while the blocked sink still waits.
            int framesBefore = sink.frames(0);
            GpuDriver.PatternResource drawn = driver.drawPattern(320, 200);
            int[] gpuPicture = sink.awaitResourceFrame(0, 0, framesBefore, BOUND);
            assertEquals(Optional.empty(), TestPattern.compare(gpuPicture, 320, 320, 200));
            assertEquals(1, blocking.calls.get());

            blocking.release.countDown();
            end = System.nanoTime() + BOUND.toNanos();
            while (!showsPattern(blocking.seen, drawn.resourceId())) {
                assertTrue("the released sink ends on the GPU's picture: " + blocking.seen.calls,
                        System.nanoTime() < end);
                Thread.sleep(5);
            }
            List<String> calls = blocking.seen.takeCalls();
            assertTrue("the released sink caught up in a few calls, not " + FRAMES + ": " + calls,
                    calls.size() <= 6);
        } finally {
            driver.close();
        }
    }

    private static boolean showsPattern(RecordingSink s, int resourceId) {
        synchronized (s) {
            Scanout shown = s.scanouts.get(0);
            return shown != null && shown.resourceId() == resourceId && s.frames(0) > 0
                    && TestPattern.compare(s.picture(0), 320, 320, 200).isEmpty();
        }
    }

    private void firmwareSetsMode() {
        long dispi = pci.barBase(VirtioVga.MMIO_BAR) + VirtioVga.MMIO_DISPI;
        pci.mmioWrite(dispi + 2 * BochsVbe.INDEX_XRES, 2, W);
        pci.mmioWrite(dispi + 2 * BochsVbe.INDEX_YRES, 2, H);
        pci.mmioWrite(dispi + 2 * BochsVbe.INDEX_BPP, 2, 32);
        pci.mmioWrite(dispi + 2 * BochsVbe.INDEX_ENABLE, 2, BochsVbe.ENABLED | BochsVbe.LFB_ENABLED);
    }

    private void fill(int rgb) {
        for (int p = 0; p < W * H; p++) {
            vga.barWrite(VirtioVga.VRAM_BAR, 4L * p, 4, rgb);
        }
    }

    private static void promptly(String what, Runnable call) {
        long t0 = System.nanoTime();
        call.run();
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(what + " took " + ms + " ms", ms < PROMPT_MS);
    }

    /** Blocks in every call until {@link #release} opens (30 s at most), then records it. */
    private static final class BlockingSink implements DisplaySink {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger calls = new AtomicInteger();
        final RecordingSink seen = new RecordingSink();

        @Override
        public void scanoutChanged(ScanoutId id, Scanout scanout) {
            block();
            seen.scanoutChanged(id, scanout);
        }

        @Override
        public void frameUpdated(ScanoutId id, Rect dirty, Pixels pixels) {
            block();
            seen.frameUpdated(id, dirty, pixels);
        }

        private void block() {
            calls.incrementAndGet();
            entered.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
