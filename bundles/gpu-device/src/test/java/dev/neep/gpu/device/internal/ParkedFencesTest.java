package dev.neep.gpu.device.internal;

import static org.junit.Assert.assertEquals;

import dev.neep.gpu.device.internal.ParkedFences.Timeline;
import java.util.List;
import org.junit.Test;

/** Parking and releasing per timeline, without a device. */
public class ParkedFencesTest {
    private final ParkedFences<String> t = new ParkedFences<>();

    @Test
    public void signalReleasesEveryFenceUpToItsIdInParkingOrder() {
        t.park(Timeline.GLOBAL, 1, "a");
        t.park(Timeline.GLOBAL, 2, "b");
        t.park(Timeline.GLOBAL, 3, "c");
        assertEquals(List.of("a", "b"), t.signal(Timeline.GLOBAL, 2));
        assertEquals(1, t.parked());
        assertEquals(List.of("c"), t.signal(Timeline.GLOBAL, 9));
        assertEquals(0, t.parked());
    }

    @Test
    public void sameRingOfTwoContextsIsTwoTimelines() {
        t.park(Timeline.of(true, 1, 0), 1, "ctx1");
        t.park(Timeline.of(true, 2, 0), 2, "ctx2");
        assertEquals(List.of("ctx2"), t.signal(Timeline.of(true, 2, 0), 2));
        assertEquals(List.of("ctx1"), t.signal(Timeline.of(true, 1, 0), 1));
    }

    @Test
    public void globalTimelineIgnoresContextAndRing() {
        assertEquals(Timeline.GLOBAL, Timeline.of(false, 7, 3));
    }

    @Test
    public void fenceIdsCompareUnsigned() {
        t.park(Timeline.GLOBAL, -2L, "high"); // 2^64 - 2
        assertEquals(List.of(), t.signal(Timeline.GLOBAL, Long.MAX_VALUE));
        assertEquals(List.of("high"), t.signal(Timeline.GLOBAL, -1L));
    }

    @Test
    public void outOfOrderIdsAreReleasedByValueInParkingOrder() {
        t.park(Timeline.GLOBAL, 5, "five");
        t.park(Timeline.GLOBAL, 3, "three");
        t.park(Timeline.GLOBAL, 4, "four");
        assertEquals(List.of("three", "four"), t.signal(Timeline.GLOBAL, 4));
        assertEquals(List.of("five"), t.signal(Timeline.GLOBAL, 5));
    }

    @Test
    public void drainContextReleasesOnlyThatContextsRings() {
        t.park(Timeline.of(true, 1, 0), 1, "1/0");
        t.park(Timeline.of(true, 1, 5), 2, "1/5");
        t.park(Timeline.of(true, 2, 0), 3, "2/0");
        t.park(Timeline.GLOBAL, 4, "global");
        List<String> drained = t.drainContext(1);
        assertEquals(2, drained.size());
        assertEquals(2, t.parked());
    }

    @Test
    public void drainAllEmptiesEveryTimeline() {
        t.park(Timeline.of(true, 1, 0), 1, "a");
        t.park(Timeline.GLOBAL, 2, "b");
        assertEquals(2, t.drainAll().size());
        assertEquals(0, t.parked());
        assertEquals(List.of(), t.signal(Timeline.GLOBAL, 9));
    }

    @Test
    public void signalOfATimelineWithNothingParkedReleasesNothing() {
        assertEquals(List.of(), t.signal(Timeline.of(true, 3, 3), 1));
    }
}
