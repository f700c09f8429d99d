package dev.neep.gpu.device.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.neep.backend2d.Backend2d;
import dev.neep.gpu.api.CursorImage;
import dev.neep.gpu.api.Frames;
import dev.neep.gpu.api.Pixels;
import dev.neep.gpu.device.DeviceConfig;
import dev.neep.gpu.protocol.Rect;
import dev.neep.testkit.GpuDriver;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * With the 2D backend, which holds pictures, a sink gets each flushed picture as it was at its
 * flush, however late it reads it: the device writes the guest's next pictures meanwhile into
 * other memory. A sink that falls further behind than the lane lets pictures wait gets the newest
 * folded into the last one waiting. A cursor image, too, reaches it as UPDATE_CURSOR defined it.
 */
public class HeldPicturesTest {
    private static final int W = 64;
    private static final int H = 48;
    private static final long WAIT_MS = 10_000;
    private static final Rect ALL = new Rect(0, 0, W, H);

    private Harness h;
    private GpuDriver d;
    private SolidScreen screen;
    private final GatedSink slow = new GatedSink();

    @Before
    public void start() {
        h = Harness.start(DeviceConfig.defaults(), Backend2d.provider(), GpuDriver.Options.defaults(), 16 << 20);
        d = h.driver;
        h.sink.settleWith(() -> { });
        screen = new SolidScreen(d, 1, W, H);
        // Bound before the scanout is set, so that its first picture is the first one drawn.
        h.device.addSink(slow);
        screen.show(0);
    }

    @After
    public void stop() {
        slow.release.countDown();
        h.close();
    }

    @Test
    public void aSinkThatReadsLateReadsEachPictureAsItWasFlushed() throws Exception {
        draw(ALL, 0xff000001);
        assertTrue("the sink is in its first call", slow.entered.await(WAIT_MS, TimeUnit.MILLISECONDS));
        for (int i = 2; i <= 1 + SinkLane.MAX_WAITING; i++) {
            draw(ALL, 0xff000000 | i);
        }
        slow.release.countDown();
        List<int[]> got = slow.await(1 + SinkLane.MAX_WAITING);
        for (int i = 0; i < got.size(); i++) {
            assertUniform("picture " + (i + 1), 0xff000000 | (i + 1), got.get(i));
        }
    }

    @Test
    public void aPartialTransferWhileAPictureIsHeldKeepsTheRestOfTheResource() throws Exception {
        draw(ALL, 0xff0000aa);
        assertTrue("the sink is in its first call", slow.entered.await(WAIT_MS, TimeUnit.MILLISECONDS));
        Rect left = new Rect(0, 0, W / 2, H);
        draw(left, 0xff00bb00);
        slow.release.countDown();
        List<int[]> got = slow.await(2);
        assertUniform("the held picture", 0xff0000aa, got.get(0));
        int[] second = got.get(1);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                assertEquals("pixel " + x + "," + y, x < W / 2 ? 0xff00bb00 : 0xff0000aa, second[y * W + x]);
            }
        }
        assertEquals("the update's dirty rectangle", left, slow.dirty(1));
    }

    @Test
    public void pastTheWaitingLimitTheNewestFoldsIntoTheLastWaiting() throws Exception {
        draw(ALL, 0xff000001);
        assertTrue("the sink is in its first call", slow.entered.await(WAIT_MS, TimeUnit.MILLISECONDS));
        int last = 12;
        for (int i = 2; i <= last; i++) {
            draw(ALL, 0xff000000 | i);
        }
        slow.release.countDown();
        List<int[]> got = slow.await(1 + SinkLane.MAX_WAITING);
        for (int i = 0; i < SinkLane.MAX_WAITING; i++) {
            assertUniform("picture " + (i + 1), 0xff000000 | (i + 1), got.get(i));
        }
        assertUniform("the newest, last", 0xff000000 | last, got.get(SinkLane.MAX_WAITING));
        Thread.sleep(100);
        assertEquals("nothing after the newest", 1 + SinkLane.MAX_WAITING, slow.pictures().size());
    }

    @Test
    public void aReadAfterTheSinksCallReadsTheLivePixels() throws Exception {
        draw(ALL, 0xff000001);
        slow.release.countDown();
        slow.await(1);
        h.device.awaitIdle();
        Pixels kept = slow.last;
        // The lane gave its hold back when the call returned; the guest writes without a flush.
        screen.fill(0xff000002);
        screen.transfer(ALL);
        int[] argb = new int[W * H];
        assertTrue("a late read still reads", kept.read(f -> Frames.toArgb(f, ALL, argb)));
        assertUniform("a late read reads the live pixels", 0xff000002, argb);
    }

    @Test
    public void aCursorReachesALateSinkAsItWasDefined() throws Exception {
        int size = CursorCommands.CURSOR_SIZE;
        SolidScreen cursor = new SolidScreen(d, 2, size, size);
        cursor.fill(0xff112233);
        cursor.transfer(cursor.all);

        draw(ALL, 0xff000001);
        assertTrue("the sink is in its first call", slow.entered.await(WAIT_MS, TimeUnit.MILLISECONDS));
        d.updateCursor(0, 5, 6, 2, 1, 2);
        // The guest draws its next cursor into the same resource before the sink got the first.
        cursor.fill(0xff445566);
        cursor.transfer(cursor.all);
        slow.release.countDown();
        CursorImage got = slow.awaitCursor();
        assertEquals("hot spot", 1, got.hotX());
        assertEquals("hot spot", 2, got.hotY());
        int[] expected = new int[size * size];
        Arrays.fill(expected, 0xff112233);
        assertTrue("the cursor as UPDATE_CURSOR defined it", Arrays.equals(expected, got.argb()));
    }

    private static void assertUniform(String what, int argb, int[] picture) {
        int[] expected = new int[W * H];
        Arrays.fill(expected, argb);
        assertTrue(what + ": every pixel " + Integer.toHexString(argb) + ", got " + Integer.toHexString(picture[0])
                + " .. " + Integer.toHexString(picture[picture.length - 1]), Arrays.equals(expected, picture));
    }

    private void draw(Rect r, int argb) {
        screen.draw(r, argb);
    }
}
