package dev.neep.virtio.driver;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import org.junit.Test;

public class GuestAllocatorTest {

    @Test
    public void allocationsAreAlignedAndDisjoint() {
        GuestAllocator allocator = new GuestAllocator(0x1001, 0x2000);
        long first = allocator.allocate(10, 16);
        long second = allocator.allocate(10, 4096);
        assertEquals(0x1010, first);
        assertEquals(0x2000, second);
        long third = allocator.allocate(4, 1);
        assertEquals("the padding before the aligned run stays free", 0x1001, third);
    }

    @Test
    public void freedRangesMergeWithTheirNeighbours() {
        GuestAllocator allocator = new GuestAllocator(0, 0x300);
        long a = allocator.allocate(0x100, 1);
        long b = allocator.allocate(0x100, 1);
        long c = allocator.allocate(0x100, 1);
        assertThrows(IllegalStateException.class, () -> allocator.allocate(1, 1));
        allocator.free(a);
        allocator.free(c);
        assertThrows(IllegalStateException.class, () -> allocator.allocate(0x200, 1));
        allocator.free(b);
        assertEquals(0, allocator.allocate(0x300, 1));
    }

    @Test
    public void badRequestsAreRefused() {
        GuestAllocator allocator = new GuestAllocator(0, 0x100);
        assertThrows(IllegalArgumentException.class, () -> allocator.allocate(0, 1));
        assertThrows(IllegalArgumentException.class, () -> allocator.allocate(1, 3));
        assertThrows(IllegalArgumentException.class, () -> allocator.free(0x10));
        long at = allocator.allocate(8, 8);
        allocator.free(at);
        assertThrows(IllegalArgumentException.class, () -> allocator.free(at));
        assertThrows(IllegalArgumentException.class, () -> new GuestAllocator(Long.MAX_VALUE - 4, 8));
        assertEquals(0x100, allocator.freeBytes());
    }
}
