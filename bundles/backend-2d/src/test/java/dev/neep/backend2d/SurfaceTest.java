package dev.neep.backend2d;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotSame;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import dev.neep.gpu.api.HeldFrame;
import java.nio.ByteBuffer;
import org.junit.Test;

/** Copy-on-write of a 2D resource's pixels while a picture of them is held. */
public class SurfaceTest {
    private static final int W = 8;
    private static final int H = 4;
    private static final int STRIDE = W * 4;

    private final PixelPool pool = new PixelPool(1 << 20);
    private final Surface surface = new Surface(0, W, H, STRIDE, pool);

    @Test
    public void anUnheldSurfaceIsWrittenInPlace() {
        ByteBuffer before = surface.writable(0, 0, W, H, 4);
        assertSame(before, surface.writable(1, 1, 2, 2, 4));
    }

    @Test
    public void aWriteWhileHeldGoesElsewhereAndKeepsWhatItDoesNotCover() {
        ByteBuffer first = surface.writable(0, 0, W, H, 4);
        for (int i = 0; i < STRIDE * H; i++) {
            first.put(i, (byte) i);
        }
        HeldFrame held = surface.hold();
        ByteBuffer next = surface.writable(2, 1, 3, 2, 4);
        assertNotSame("a held buffer is not written", first, next);
        for (int i = 0; i < STRIDE * H; i++) {
            int x = i % STRIDE / 4;
            int y = i / STRIDE;
            boolean covered = x >= 2 && x < 5 && y >= 1 && y < 3;
            if (!covered) {
                assertEquals("byte " + i + " outside the write is kept", (byte) i, next.get(i));
            }
            assertEquals("the held picture is unchanged", (byte) i, held.frame().pixels().get(i));
        }
        int covered = STRIDE + 2 * 4;
        next.put(covered, (byte) 0x5a);
        assertEquals("now() reads the resource's new memory", 0x5a, held.now().pixels().get(covered));
        assertEquals("the held frame does not", (byte) covered, held.frame().pixels().get(covered));
    }

    @Test
    public void theLastHoldGivesARetiredBufferBackAndEndsTheHolds() {
        HeldFrame held = surface.hold();
        assertTrue(held.hold());
        surface.writable(0, 0, W, H, 4);
        held.release();
        assertEquals("still held once", 0, pool.idleBytes());
        held.release();
        assertEquals("back in the pool", STRIDE * H, pool.idleBytes());
        assertFalse("no hold after the last went", held.hold());
        held.release();
        assertEquals("a release too many changes nothing", STRIDE * H, pool.idleBytes());
    }

    @Test
    public void freeingAHeldSurfaceWaitsForTheLastHold() {
        HeldFrame held = surface.hold();
        surface.free();
        assertEquals(0, pool.idleBytes());
        held.release();
        assertEquals(STRIDE * H, pool.idleBytes());
    }
}
