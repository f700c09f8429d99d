package dev.neep.gpu.api;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.Test;

/** Hold counting: holds only while one lasts, freed once, after retirement and the last hold. */
public class HoldsTest {
    private final AtomicInteger freed = new AtomicInteger();
    private final Holds holds = new Holds(freed::incrementAndGet);

    @Test
    public void aHoldIsAddedOnlyWhileOneLasts() {
        assertFalse("nothing to hold before the writer's first hold", holds.hold());
        holds.take();
        assertTrue(holds.hold());
        holds.release();
        holds.release();
        assertFalse("held no longer", holds.held());
        assertFalse("no hold once the last went", holds.hold());
    }

    @Test
    public void aRetiredBufferIsFreedOnceTheLastHoldGoes() {
        holds.take();
        assertTrue(holds.hold());
        holds.retire();
        holds.release();
        assertEquals("one hold lasts", 0, freed.get());
        holds.release();
        assertEquals(1, freed.get());
        holds.release();
        holds.retire();
        assertEquals("freed once, a release too many ignored", 1, freed.get());
    }

    @Test
    public void anUnheldBufferIsFreedWhenRetired() {
        holds.retire();
        assertEquals(1, freed.get());
    }

    @Test
    public void holdsFromManyThreadsAllCount() throws Exception {
        holds.take();
        Thread[] readers = new Thread[4];
        for (int t = 0; t < readers.length; t++) {
            readers[t] = new Thread(() -> {
                for (int i = 0; i < 100_000; i++) {
                    assertTrue(holds.hold());
                    holds.release();
                }
            });
            readers[t].start();
        }
        for (Thread r : readers) {
            r.join();
        }
        assertTrue("the writer's hold still lasts", holds.held());
        holds.retire();
        assertEquals(0, freed.get());
        holds.release();
        assertEquals(1, freed.get());
    }
}
