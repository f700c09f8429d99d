package dev.neep.virtio.driver;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.neep.virtio.DescriptorChain;
import dev.neep.virtio.GuestMemories;
import dev.neep.virtio.RegionGuestMemory;
import dev.neep.virtio.Virtq;
import dev.neep.virtio.Virtqueue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.Test;

public class DriverQueueTest {

    private final RegionGuestMemory memory = GuestMemories.heap(0, 1 << 20);

    @Test
    public void contiguousLayoutKeepsTheSpecAlignment() {
        DriverQueue queue = DriverQueue.contiguous(memory, 4, 0x1003, true);
        assertEquals(0x1010, queue.descTable());
        assertEquals(0x1010 + 64, queue.availRing());
        assertEquals(0, queue.usedRing() % Virtq.USED_ALIGN);
        assertTrue(queue.usedRing() >= queue.availRing() + Virtq.availRingSize(4));
        assertEquals(queue.usedRing() + 6 + 8 * 4, queue.end());
    }

    @Test
    public void constructorZeroesTheRings() {
        for (int i = 0; i < 0x400; i++) {
            memory.writeByte(0x1000 + i, (byte) 0x5a);
        }
        DriverQueue queue = DriverQueue.contiguous(memory, 16, 0x1000, false);
        assertZero(queue.descTable(), Virtq.descTableSize(16));
        assertZero(queue.availRing(), Virtq.availRingSize(16));
        assertZero(queue.usedRing(), Virtq.usedRingSize(16));
    }

    private void assertZero(long from, long length) {
        for (long at = from; at < from + length; at++) {
            assertEquals("at 0x" + Long.toHexString(at), 0, memory.readByte(at));
        }
    }

    @Test
    public void ringsBreakingTheSpecAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new DriverQueue(memory, 6, 0x1000, 0x2000, 0x3000, false));
        assertThrows(IllegalArgumentException.class, () -> new DriverQueue(memory, 8, 0x1004, 0x2000, 0x3000, false));
        assertThrows(IllegalArgumentException.class, () -> new DriverQueue(memory, 8, 0x1000, 0x2000, 1 << 20, false));
    }

    @Test
    public void addWritesDescriptorsAndPublishesTheHead() {
        DriverQueue queue = DriverQueue.contiguous(memory, 4, 0x1000, false);
        int head = queue.add(List.of(Segment.readable(0x8000, 12), Segment.writable(0x9000, 24)));
        assertEquals(1, queue.availIndex());
        assertEquals(1, memory.readShort(queue.availRing() + Virtq.RING_IDX));
        assertEquals(head, memory.readShort(Virtq.availEntry(queue.availRing(), 0)));
        long first = Virtq.descriptor(queue.descTable(), head);
        assertEquals(0x8000, memory.readLong(first + Virtq.DESC_ADDR));
        assertEquals(12, memory.readInt(first + Virtq.DESC_LEN));
        assertEquals(Virtq.DESC_F_NEXT, memory.readShort(first + Virtq.DESC_FLAGS));
        long second = Virtq.descriptor(queue.descTable(), memory.readShort(first + Virtq.DESC_NEXT));
        assertEquals(0x9000, memory.readLong(second + Virtq.DESC_ADDR));
        assertEquals(24, memory.readInt(second + Virtq.DESC_LEN));
        assertEquals(Virtq.DESC_F_WRITE, memory.readShort(second + Virtq.DESC_FLAGS));
        assertEquals(2, queue.numFree());
    }

    @Test
    public void fullQueueRefusesAndUsedChainsFreeTheirDescriptors() throws Exception {
        DriverQueue driver = DriverQueue.contiguous(memory, 4, 0x1000, false);
        Virtqueue device = new Virtqueue(0, memory, 4, driver.descTable(), driver.availRing(), driver.usedRing(), false);
        driver.add(List.of(Segment.readable(0x8000, 4), Segment.readable(0x8010, 4), Segment.readable(0x8020, 4)));
        assertThrows(IllegalStateException.class,
                () -> driver.add(List.of(Segment.readable(0x8000, 4), Segment.readable(0x8010, 4))));
        assertThrows(IllegalArgumentException.class, () -> driver.add(List.of()));
        int indirect = driver.addIndirect(0x7000, List.of(Segment.readable(0x8000, 4), Segment.writable(0x8010, 4)));
        assertEquals(0, driver.numFree());
        assertThrows(IllegalStateException.class, () -> driver.addIndirect(0x7100, List.of(Segment.readable(0x8000, 4))));

        device.addUsed(device.pop().orElseThrow(), 0);
        DescriptorChain second = device.pop().orElseThrow();
        assertEquals(indirect, second.headIndex());
        device.addUsed(second, 4);
        assertFalse(driver.pollUsed().isEmpty());
        assertEquals(3, driver.numFree());
        UsedElement used = driver.pollUsed().orElseThrow();
        assertEquals(indirect, used.id());
        assertEquals(4, used.length());
        assertEquals(0, used.written().remaining());
        assertEquals(4, driver.numFree());
        assertTrue(driver.pollUsed().isEmpty());
    }

    @Test
    public void submitRoundTripReturnsTheBytesTheDeviceWrote() throws Exception {
        roundTrip(false);
    }

    @Test
    public void submitIndirectRoundTripReturnsTheBytesTheDeviceWrote() throws Exception {
        roundTrip(true);
    }

    private void roundTrip(boolean indirect) throws Exception {
        GuestAllocator allocator = new GuestAllocator(0x20000, 0x10000);
        DriverQueue driver = DriverQueue.contiguous(memory, 8, 0x1000, true);
        Virtqueue device = new Virtqueue(0, memory, 8, driver.descTable(), driver.availRing(), driver.usedRing(), true);
        ByteBuffer header = ByteBuffer.wrap("header".getBytes(StandardCharsets.US_ASCII));
        ByteBuffer body = ByteBuffer.wrap("body".getBytes(StandardCharsets.US_ASCII));
        int head = indirect
                ? driver.submitIndirect(allocator, List.of(header, body), 4, 8)
                : driver.submit(allocator, List.of(header, body), 4, 8);
        assertEquals("the caller's buffers are left as they were", 0, header.position());
        assertTrue(driver.kickNeeded());

        DescriptorChain chain = device.pop().orElseThrow();
        assertNull(chain.fault());
        assertEquals(head, chain.headIndex());
        assertEquals("headerbody", new String(chain.reader().readBuffer(10).array(), StandardCharsets.US_ASCII));
        assertEquals(12, chain.writableLength());
        chain.writer().write(ByteBuffer.wrap("response".getBytes(StandardCharsets.US_ASCII)));
        device.addUsed(chain, chain.writer().written());
        assertTrue(device.needsNotification());

        UsedElement used = driver.pollUsed().orElseThrow();
        assertEquals(head, used.id());
        assertEquals(8, used.length());
        byte[] written = new byte[used.written().remaining()];
        used.written().get(written);
        assertArrayEquals("response".getBytes(StandardCharsets.US_ASCII), written);
        assertEquals("every buffer went back", 0x10000, allocator.freeBytes());
        assertEquals(8, driver.numFree());
    }

    @Test
    public void submitThatDoesNotFitHoldsNothing() {
        GuestAllocator allocator = new GuestAllocator(0x20000, 0x100);
        DriverQueue driver = DriverQueue.contiguous(memory, 2, 0x1000, false);
        assertThrows(IllegalStateException.class,
                () -> driver.submit(allocator, List.of(ByteBuffer.allocate(0x80)), 0x100));
        assertEquals(0x100, allocator.freeBytes());
        assertThrows(IllegalStateException.class,
                () -> driver.submit(allocator, List.of(ByteBuffer.allocate(8), ByteBuffer.allocate(8)), 8));
        assertEquals(0x100, allocator.freeBytes());
        assertEquals(2, driver.numFree());
        assertEquals(0, driver.availIndex());
    }

    @Test
    public void kickNeededFollowsNoNotifyWithoutEventIdx() {
        DriverQueue driver = DriverQueue.contiguous(memory, 4, 0x1000, false);
        assertFalse("nothing published", driver.kickNeeded());
        driver.add(List.of(Segment.readable(0x8000, 4)));
        assertTrue(driver.kickNeeded());
        memory.writeShort(driver.usedRing() + Virtq.RING_FLAGS, (short) Virtq.USED_F_NO_NOTIFY);
        driver.add(List.of(Segment.readable(0x8000, 4)));
        assertFalse(driver.kickNeeded());
    }

    @Test
    public void kickNeededFollowsAvailEventWithEventIdx() {
        DriverQueue driver = DriverQueue.contiguous(memory, 8, 0x1000, true);
        memory.writeShort(Virtq.availEvent(driver.usedRing(), 8), (short) 2);
        driver.add(List.of(Segment.readable(0x8000, 4)));
        driver.add(List.of(Segment.readable(0x8000, 4)));
        assertFalse("entries 0 and 1 do not reach avail_event 2", driver.kickNeeded());
        driver.add(List.of(Segment.readable(0x8000, 4)));
        driver.add(List.of(Segment.readable(0x8000, 4)));
        assertTrue("entry 2 was written", driver.kickNeeded());
    }

    @Test
    public void ringFieldsTakeSixteenBitsOnly() {
        DriverQueue driver = DriverQueue.contiguous(memory, 4, 0x1000, true);
        driver.setUsedEvent(0xffff);
        assertEquals((short) 0xffff, memory.readShort(Virtq.usedEvent(driver.availRing(), 4)));
        assertThrows(IllegalArgumentException.class, () -> driver.setUsedEvent(0x10000));
        assertThrows(IllegalArgumentException.class, () -> driver.setAvailIndex(-1));
        assertThrows(IllegalArgumentException.class, () -> Segment.readable(0, 1L << 32));
    }
}
