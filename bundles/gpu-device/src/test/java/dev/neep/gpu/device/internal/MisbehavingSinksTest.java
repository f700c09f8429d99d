package dev.neep.gpu.device.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.neep.backend2d.Backend2d;
import dev.neep.gpu.device.DeviceConfig;
import dev.neep.gpu.protocol.Rect;
import dev.neep.testkit.GpuDriver;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * A sink that blocks and a sink that throws, bound beside a well-behaved one: the device answers
 * every flush while the one blocks, the well-behaved sink gets every picture the guest flushes,
 * pixel-exact, and the blocked sink, once released, gets the newest picture after at most a few
 * calls: the pictures that waited in turn, the rest folded.
 */
public class MisbehavingSinksTest {
    private static final int W = 64;
    private static final int H = 48;
    private static final int FRAMES = 40;
    private static final long WAIT_MS = 10_000;
    private static final Rect ALL = new Rect(0, 0, W, H);

    private Harness h;
    private SolidScreen screen;
    private final GatedSink blocking = new GatedSink();
    private final RecordingSink throwing = new RecordingSink();

    @Before
    public void start() {
        h = Harness.start(DeviceConfig.defaults(), Backend2d.provider(), GpuDriver.Options.defaults(), 16 << 20);
        // Settling waits for every sink, the blocked one too: this test polls instead.
        h.sink.settleWith(() -> { });
        screen = new SolidScreen(h.driver, 1, W, H);
        screen.show(0);
        throwing.toThrow = new IllegalStateException("a sink that always throws");
        h.device.addSink(throwing);
        h.device.addSink(blocking);
    }

    @After
    public void stop() {
        blocking.release.countDown();
        h.close();
    }

    @Test
    public void flushesAreAnsweredAndTheOtherSinksServedWhileOneSinkBlocksAndOneThrows() throws Exception {
        draw(0xff000000);
        assertTrue("the blocking sink got its first picture", blocking.entered.await(WAIT_MS, TimeUnit.MILLISECONDS));

        for (int i = 1; i <= FRAMES; i++) {
            int colour = 0xff000000 | i;
            // Each flush is answered although one sink is stuck inside its call ...
            draw(colour);
            // ... and the well-behaved sink gets this very picture before the next is drawn.
            awaitPicture(colour);
        }
        assertEquals("the blocking sink is still inside its first call", 1, blocking.calls.get());
        assertTrue("the well-behaved sink got every flush: " + h.sink.count("frame 0"),
                h.sink.count("frame 0") >= FRAMES);
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (throwing.count("frame 0") < 2) {
            if (System.nanoTime() > end) {
                fail("the throwing sink was not called again after it threw");
            }
            Thread.sleep(5);
        }

        blocking.release.countDown();
        end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (blocking.lastColour() != (0xff000000 | FRAMES)) {
            if (System.nanoTime() > end) {
                fail("the released sink never got the newest picture; last " + Integer.toHexString(blocking.lastColour()));
            }
            Thread.sleep(5);
        }
        // Its first call, then the held pictures that wait in turn, the newest folded into the last.
        assertTrue("what waited for the blocked sink was folded: " + blocking.calls.get() + " calls",
                blocking.calls.get() <= 1 + SinkLane.MAX_WAITING);
    }

    private void draw(int argb) {
        screen.draw(ALL, argb);
    }

    private void awaitPicture(int argb) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (true) {
            int[] frame = h.sink.frames().get(0);
            if (frame != null && frame[0] == argb && frame[frame.length - 1] == argb) {
                int[] expected = new int[W * H];
                Arrays.fill(expected, argb);
                assertTrue(Arrays.equals(expected, frame));
                return;
            }
            if (System.nanoTime() > end) {
                fail("the well-behaved sink never showed " + Integer.toHexString(argb));
            }
            Thread.sleep(1);
        }
    }
}
