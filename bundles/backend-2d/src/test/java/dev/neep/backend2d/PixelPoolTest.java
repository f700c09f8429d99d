package dev.neep.backend2d;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotSame;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import org.junit.Test;

public class PixelPoolTest {

    @Test
    public void aReleasedBufferComesBackZeroedForTheSameSize() {
        PixelPool pool = new PixelPool(1 << 20);
        ByteBuffer first = pool.take(200_000, true);
        assertTrue("off the Java heap", first.isDirect());
        for (int i = 0; i < first.capacity(); i++) {
            first.put(i, (byte) 0x5a);
        }
        pool.release(first);
        assertEquals(200_000, pool.idleBytes());
        assertNotSame("another size gets a buffer of its own", first, pool.take(100, true));
        ByteBuffer again = pool.take(200_000, true);
        assertSame(first, again);
        assertEquals(0, pool.idleBytes());
        for (int i = 0; i < again.capacity(); i++) {
            assertEquals("byte " + i, 0, again.get(i));
        }
    }

    @Test
    public void idleBytesStayWithinTheBound() {
        PixelPool pool = new PixelPool(250_000);
        ByteBuffer a = pool.take(200_000, true);
        ByteBuffer b = pool.take(200_000, true);
        pool.release(a);
        pool.release(b);
        assertEquals("the second would pass the bound and is left to the GC", 200_000, pool.idleBytes());
        assertSame(a, pool.take(200_000, true));
        assertNotSame(b, pool.take(200_000, true));
    }

    @Test
    public void aReleasePastTheBoundLetsOtherSizesGoFirst() {
        PixelPool pool = new PixelPool(250_000);
        ByteBuffer small = pool.take(100_000, true);
        ByteBuffer big = pool.take(200_000, true);
        pool.release(small);
        pool.release(big);
        assertEquals("the old size made room for the one in use", 200_000, pool.idleBytes());
        assertSame(big, pool.take(200_000, false));
        assertNotSame(small, pool.take(100_000, false));
    }
}
