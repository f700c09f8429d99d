package dev.neep.gpu.protocol;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

/** A rectangle's place in a resource and in a linear buffer, with every value a u32 from the guest. */
public class RectTest {

    @Test
    public void withinCountsEdgesInclusiveAndValuesUnsigned() {
        assertTrue(new Rect(0, 0, 64, 32).within(64, 32));
        assertTrue(new Rect(63, 31, 1, 1).within(64, 32));
        assertTrue(new Rect(64, 32, 0, 0).within(64, 32));
        assertFalse(new Rect(1, 0, 64, 1).within(64, 32));
        assertFalse(new Rect(0, 1, 1, 32).within(64, 32));
        // 0xffffffff + 2 wraps to 1 in 32 bits: it must not pass as inside
        assertFalse(new Rect(-1, 0, 2, 1).within(64, 32));
        assertFalse(new Rect(0, 0, -1, 1).within(64, 32));
        assertTrue(new Rect(0, 0, -1, 1).within(-1, 1));
    }

    @Test
    public void endIsOnePastTheLastRowsLastPixel() {
        // 3 rows of 2 pixels of 4 bytes, rows 100 bytes apart, from byte 8: the last row ends at 8 + 200 + 8
        assertEquals(216, new Rect(5, 7, 2, 3).end(8, 100, 4));
        assertEquals(8, new Rect(0, 0, 0, 3).end(8, 100, 4));
        assertEquals(8, new Rect(0, 0, 2, 0).end(8, 100, 4));
    }

    @Test
    public void endOutsideAnyBufferIsMinusOne() {
        assertEquals(-1, new Rect(0, 0, 1, 1).end(-1, 4, 4));
        assertEquals(-1, new Rect(0, 0, 1, 1).end(Long.MIN_VALUE, 4, 4));
        assertEquals(-1, new Rect(0, 0, 1, -1).end(0, Long.MAX_VALUE / 2, 4));
        assertEquals(-1, new Rect(0, 0, 1, 1).end(Long.MAX_VALUE - 1, 4, 4));
        assertEquals(Long.MAX_VALUE, new Rect(0, 0, 1, 1).end(Long.MAX_VALUE - 4, 4, 4));
    }
}
