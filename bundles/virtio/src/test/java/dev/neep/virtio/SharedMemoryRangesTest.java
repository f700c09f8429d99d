package dev.neep.virtio;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.Map;
import org.junit.Test;

/** The mapping table's rules, with page granules (vhost-user) and byte granules (virtio-pci). */
public class SharedMemoryRangesTest {
    private static final long PAGE = 4096;
    private static final long REGION = 1 << 20;

    private final SharedMemoryRanges pages = new SharedMemoryRanges(REGION, PAGE);
    private final SharedMemoryRanges bytes = new SharedMemoryRanges(REGION, 1);

    @Test
    public void granuleMustBeAPowerOfTwo() {
        assertThrows(IllegalArgumentException.class, () -> new SharedMemoryRanges(REGION, 0));
        assertThrows(IllegalArgumentException.class, () -> new SharedMemoryRanges(REGION, 3000));
        assertThrows(IllegalArgumentException.class, () -> new SharedMemoryRanges(-1, PAGE));
    }

    @Test
    public void offsetOffTheGranuleIsRefused() {
        assertNotNull(pages.refusal(0x800, PAGE));
        assertNotNull(pages.refusal(-PAGE, PAGE));
        assertNull(pages.refusal(0x3000, PAGE));
        assertNull("any byte starts a mapping with byte granules", bytes.refusal(0x801, 10));
        assertNotNull(bytes.refusal(-1, 10));
    }

    @Test
    public void rangePastTheRegionIsRefused() {
        assertNotNull(pages.refusal(REGION, PAGE));
        assertNotNull(pages.refusal(REGION - PAGE, 2 * PAGE));
        assertNotNull("its last page would end past the region", pages.refusal(REGION - PAGE, PAGE + 1));
        assertNull(pages.refusal(REGION - PAGE, PAGE));
        assertNull(bytes.refusal(REGION - 10, 10));
        assertNotNull(bytes.refusal(REGION - 10, 11));
        assertNotNull(bytes.refusal(REGION + 1, 1));
    }

    @Test
    public void emptyRangeIsRefused() {
        assertNotNull(pages.refusal(0, 0));
        assertNotNull(bytes.refusal(0, 0));
        assertNotNull(bytes.refusal(0, -1));
    }

    @Test
    public void offsetPlusSizeOverflowIsRefused() {
        assertNotNull(pages.refusal(PAGE, Long.MAX_VALUE - 10));
        assertNotNull(pages.refusal(Long.MAX_VALUE & -PAGE, PAGE));
        assertNotNull(bytes.refusal(10, Long.MAX_VALUE));
        assertNotNull(bytes.refusal(Long.MAX_VALUE, 1));
    }

    @Test
    public void overlapCountsWholeGranules() {
        pages.add(0x4000, PAGE + 1); // covers two pages
        assertNotNull(pages.refusal(0x5000, PAGE));
        assertNotNull(pages.refusal(0x3000, 2 * PAGE));
        assertNotNull("double map", pages.refusal(0x4000, PAGE));
        assertThrows(IllegalArgumentException.class, () -> pages.add(0x5000, PAGE));
        pages.add(0x6000, PAGE);
        pages.add(0x2000, 2 * PAGE);
        assertEquals(3, pages.count());
    }

    @Test
    public void overlapWithByteGranulesIsExact() {
        bytes.add(100, 10);
        assertNotNull(bytes.refusal(109, 1));
        assertNotNull(bytes.refusal(90, 11));
        assertNull(bytes.refusal(110, 1));
        assertNull(bytes.refusal(90, 10));
    }

    @Test
    public void removeNeedsTheWholeMapping() {
        assertFalse(pages.remove(0, PAGE));
        pages.add(0, 2 * PAGE);
        assertFalse("only the whole mapping", pages.remove(0, PAGE));
        assertTrue(pages.contains(0, 2 * PAGE));
        assertEquals(Map.of(0L, 2 * PAGE), pages.mappings());
        assertTrue(pages.remove(0, 2 * PAGE));
        assertEquals(0, pages.count());
        assertNull("its pages are free again", pages.refusal(0, PAGE));
    }

    @Test
    public void mappingsIsACopyAndClearForgetsAll() {
        pages.add(0, PAGE);
        pages.mappings().clear();
        assertEquals(1, pages.count());
        pages.clear();
        assertEquals(0, pages.count());
    }
}
