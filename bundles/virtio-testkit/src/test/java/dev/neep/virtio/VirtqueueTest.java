package dev.neep.virtio;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.neep.virtio.driver.DriverQueue;
import dev.neep.virtio.driver.Segment;
import dev.neep.virtio.driver.UsedElement;

import java.nio.ByteBuffer;
import java.util.List;

import org.junit.Test;

/** The split virtqueue rules of virtio 1.2 §2.7, each test named after the rule it checks. */
public class VirtqueueTest {

    private static final int MEMORY_SIZE = 1 << 20;
    private static final int SIZE = 8;
    private static final long RINGS = 0x1000;
    private static final long TABLE = 0x8000;
    private static final long DATA = 0x10000;

    private final RegionGuestMemory memory = GuestMemories.heap(0, MEMORY_SIZE);
    private DriverQueue driver;
    private Virtqueue queue;

    private void open(boolean eventIdx) {
        driver = DriverQueue.contiguous(memory, SIZE, RINGS, eventIdx);
        try {
            queue = new Virtqueue(3, memory, SIZE, driver.descTable(), driver.availRing(), driver.usedRing(), eventIdx);
        } catch (InvalidQueueException e) {
            throw new AssertionError(e);
        }
    }

    private DescriptorChain popOne() {
        return queue.pop().orElseThrow(() -> new AssertionError("no chain available"));
    }

    private DescriptorChain popFault(String... expected) {
        DescriptorChain chain = popOne();
        assertNotNull("chain should be refused", chain.fault());
        for (String part : expected) {
            assertTrue(chain.fault(), chain.fault().contains(part));
        }
        assertEquals(0, chain.readableLength());
        assertEquals(0, chain.writableLength());
        return chain;
    }

    private void giveBackRefused(DescriptorChain chain, int expectedId) {
        queue.addUsed(chain, 0);
        UsedElement used = driver.pollUsed().orElseThrow();
        assertEquals(expectedId, used.id());
        assertEquals(0, used.length());
    }

    // §2.7.5.3 / §2.7.7: a device must not loop forever on a chain that loops.

    @Test
    public void descriptorLoopEndsWithFault() {
        open(false);
        driver.writeDescriptor(driver.descTable(), 0, DATA, 16, Virtq.DESC_F_NEXT, 1);
        driver.writeDescriptor(driver.descTable(), 1, DATA + 16, 16, Virtq.DESC_F_NEXT, 0);
        driver.publish(0);
        DescriptorChain chain = popFault("desc[0]", "past 8 descriptors", "loop", "virtqueue 3", "head 0");
        giveBackRefused(chain, 0);
        assertNull(queue.ringFault());
    }

    @Test
    public void chainOfExactlyQueueSizeDescriptorsIsAccepted() {
        open(false);
        Segment[] segments = new Segment[SIZE];
        for (int i = 0; i < SIZE; i++) {
            segments[i] = Segment.readable(DATA + 16L * i, 16);
        }
        driver.add(List.of(segments));
        DescriptorChain chain = popOne();
        assertNull(chain.fault());
        assertEquals(16L * SIZE, chain.readableLength());
    }

    @Test
    public void indirectDescriptorLoopEndsWithFault() {
        open(false);
        driver.writeDescriptor(TABLE, 0, DATA, 16, Virtq.DESC_F_NEXT, 1);
        driver.writeDescriptor(TABLE, 1, DATA + 16, 16, Virtq.DESC_F_NEXT, 0);
        driver.writeDescriptor(driver.descTable(), 0, TABLE, 32, Virtq.DESC_F_INDIRECT, 0);
        driver.publish(0);
        popFault("desc[0] indirect[0]", "2 descriptors", "loop");
    }

    @Test
    public void nextIndexBeyondQueueSizeIsRefused() {
        open(false);
        driver.writeDescriptor(driver.descTable(), 0, DATA, 16, Virtq.DESC_F_NEXT, SIZE);
        driver.publish(0);
        popFault("desc[0].next=8");
    }

    @Test
    public void indirectNextBeyondTableIsRefused() {
        open(false);
        driver.writeDescriptor(TABLE, 0, DATA, 16, Virtq.DESC_F_NEXT, 2);
        driver.writeDescriptor(driver.descTable(), 0, TABLE, 32, Virtq.DESC_F_INDIRECT, 0);
        driver.publish(0);
        popFault("desc[0] indirect[0].next=2", "2 descriptors");
    }

    @Test
    public void headIndexBeyondQueueSizeIsRefused() {
        open(false);
        driver.publish(SIZE + 1);
        DescriptorChain chain = popFault("avail.ring[0]=9");
        assertEquals(SIZE + 1, chain.headIndex());
        giveBackRefused(chain, SIZE + 1);
    }

    // §2.7.5.3.1: indirect tables.

    @Test
    public void nestedIndirectIsRefused() {
        open(false);
        driver.writeDescriptor(TABLE + 0x100, 0, DATA, 16, 0, 0);
        driver.writeDescriptor(TABLE, 0, TABLE + 0x100, 16, Virtq.DESC_F_INDIRECT, 0);
        driver.writeDescriptor(driver.descTable(), 0, TABLE, 16, Virtq.DESC_F_INDIRECT, 0);
        driver.publish(0);
        popFault("desc[0] indirect[0].flags=0x4", "inside an indirect table");
    }

    @Test
    public void indirectWithNextIsRefused() {
        open(false);
        driver.writeDescriptor(TABLE, 0, DATA, 16, 0, 0);
        driver.writeDescriptor(driver.descTable(), 0, TABLE, 16, Virtq.DESC_F_INDIRECT | Virtq.DESC_F_NEXT, 1);
        driver.writeDescriptor(driver.descTable(), 1, DATA, 16, 0, 0);
        driver.publish(0);
        popFault("desc[0].flags=0x5", "INDIRECT together with NEXT");
    }

    @Test
    public void indirectLengthNotMultipleOf16IsRefused() {
        open(false);
        driver.writeDescriptor(driver.descTable(), 0, TABLE, 24, Virtq.DESC_F_INDIRECT, 0);
        driver.publish(0);
        popFault("desc[0].len=24", "multiple of 16");
    }

    @Test
    public void emptyIndirectTableIsRefused() {
        open(false);
        driver.writeDescriptor(driver.descTable(), 0, TABLE, 0, Virtq.DESC_F_INDIRECT, 0);
        driver.publish(0);
        popFault("desc[0].len=0");
    }

    @Test
    public void indirectTableLongerThanBoundIsRefused() {
        open(false);
        long length = 16L * (Virtqueue.MAX_INDIRECT + 1);
        driver.writeDescriptor(driver.descTable(), 0, TABLE, length, Virtq.DESC_F_INDIRECT, 0);
        driver.publish(0);
        popFault("desc[0].len=" + length, "more than 32768");
    }

    @Test
    public void indirectTableOutsideMemoryIsRefused() {
        open(false);
        driver.writeDescriptor(driver.descTable(), 0, MEMORY_SIZE - 16, 32, Virtq.DESC_F_INDIRECT, 0);
        driver.publish(0);
        popFault("desc[0].addr=0xffff0 len=32", "indirect table");
    }

    @Test
    public void writeFlagOnIndirectDescriptorIsIgnored() {
        open(false);
        driver.writeDescriptor(TABLE, 0, DATA, 16, Virtq.DESC_F_NEXT, 1);
        driver.writeDescriptor(TABLE, 1, DATA + 16, 8, Virtq.DESC_F_WRITE, 0);
        driver.writeDescriptor(driver.descTable(), 0, TABLE, 32, Virtq.DESC_F_INDIRECT | Virtq.DESC_F_WRITE, 0);
        driver.publish(0);
        DescriptorChain chain = popOne();
        assertNull(chain.fault());
        assertEquals(16, chain.readableLength());
        assertEquals(8, chain.writableLength());
    }

    @Test
    public void chainMayEndInAnIndirectTable() {
        open(false);
        driver.writeDescriptor(TABLE, 0, DATA + 16, 8, Virtq.DESC_F_WRITE, 0);
        driver.writeDescriptor(driver.descTable(), 0, DATA, 16, Virtq.DESC_F_NEXT, 1);
        driver.writeDescriptor(driver.descTable(), 1, TABLE, 16, Virtq.DESC_F_INDIRECT, 0);
        driver.publish(0);
        DescriptorChain chain = popOne();
        assertNull(chain.fault());
        assertEquals(16, chain.readableLength());
        assertEquals(8, chain.writableLength());
    }

    // §2.7.4.2 / §2.7.5: buffers and their order.

    @Test
    public void descriptorOutsideMemoryIsRefused() {
        open(false);
        driver.add(List.of(Segment.readable(DATA, 16), Segment.writable(MEMORY_SIZE - 8, 16)));
        popFault("desc[1].addr=0xffff8 len=16", "not wholly inside guest memory");
    }

    @Test
    public void descriptorAddressWrappingPast64BitsIsRefused() {
        open(false);
        driver.add(List.of(Segment.readable(-8L, 16)));
        popFault("desc[0].addr=0xfffffffffffffff8 len=16");
    }

    @Test
    public void descriptorLengthIsUnsigned32Bits() {
        open(false);
        driver.add(List.of(Segment.readable(DATA, 0xffff_fff0L)));
        popFault("len=4294967280");
    }

    @Test
    public void readableAfterWritableIsRefused() {
        open(false);
        driver.add(List.of(Segment.readable(DATA, 16), Segment.writable(DATA + 16, 16), Segment.readable(DATA + 32, 16)));
        popFault("desc[2].flags=0x0", "device-readable buffer after a device-writable one");
    }

    @Test
    public void malformedChainIsConsumedSoTheNextIsServed() {
        open(false);
        driver.add(List.of(Segment.readable(-8L, 16)));
        int good = driver.add(List.of(Segment.readable(DATA, 16), Segment.writable(DATA + 16, 8)));
        DescriptorChain bad = popFault("desc[0]");
        DescriptorChain chain = popOne();
        assertNull(chain.fault());
        assertEquals(good, chain.headIndex());
        assertFalse(queue.hasAvailable());
        queue.addUsed(bad, 0);
        queue.addUsed(chain, 8);
        assertEquals(0, driver.pollUsed().orElseThrow().length());
        UsedElement used = driver.pollUsed().orElseThrow();
        assertEquals(good, used.id());
        assertEquals(8, used.length());
    }

    // §2.7.6 / §2.7.8: 16-bit free-running indices.

    @Test
    public void availIndexWrapsAt16Bits() {
        open(false);
        driver.setAvailIndex(0xfffe);
        queue.setNextAvailIndex(0xfffe);
        for (int i = 0; i < 4; i++) {
            driver.add(List.of(Segment.readable(DATA + 16L * i, 16)));
        }
        assertEquals(2, driver.availIndex());
        for (int i = 0; i < 4; i++) {
            DescriptorChain chain = popOne();
            assertNull(chain.fault());
            assertEquals(i, chain.headIndex());
        }
        assertFalse(queue.pop().isPresent());
        assertEquals(2, queue.nextAvailIndex());
        assertNull(queue.ringFault());
    }

    @Test
    public void usedIndexWrapsAt16Bits() {
        open(false);
        int rounds = 0x10000 + 5;
        ByteBuffer value = ByteBuffer.allocate(4);
        for (int round = 0; round < rounds; round++) {
            memory.writeInt(DATA, round);
            int head = driver.add(List.of(Segment.readable(DATA, 4), Segment.writable(DATA + 16, 4)));
            DescriptorChain chain = popOne();
            assertEquals(head, chain.headIndex());
            value.clear();
            chain.reader().read(value);
            chain.writer().write(value.flip());
            queue.addUsed(chain, chain.writer().written());
            assertEquals((round + 1) & 0xffff, driver.usedIndex());
            UsedElement used = driver.pollUsed().orElseThrow();
            assertEquals(head, used.id());
            assertEquals(4, used.length());
            assertEquals(round, memory.readInt(DATA + 16));
        }
        assertEquals(5, driver.usedIndex());
        assertEquals(5, queue.nextAvailIndex());
    }

    @Test
    public void availIndexMoreThanSizeAheadIsRingFault() {
        open(false);
        driver.setAvailIndex(SIZE + 1);
        assertFalse(queue.pop().isPresent());
        assertNotNull(queue.ringFault());
        assertTrue(queue.ringFault(), queue.ringFault().contains("avail.idx=9"));
        assertFalse(queue.hasAvailable());
        assertFalse(queue.enableNotifications());
    }

    @Test
    public void availIndexUpToSizeAheadIsServed() {
        open(false);
        driver.setAvailIndex(SIZE);
        for (int i = 0; i < SIZE; i++) {
            assertNull(popOne().fault());
        }
        assertFalse(queue.hasAvailable());
    }

    @Test
    public void queueResumesAtTheAvailIndexTheTransportSets() throws Exception {
        open(false);
        for (int i = 0; i < 3; i++) {
            driver.add(List.of(Segment.readable(DATA, 16)));
        }
        queue.addUsed(popOne(), 0);
        Virtqueue resumed = new Virtqueue(3, memory, SIZE, driver.descTable(), driver.availRing(), driver.usedRing(), false);
        resumed.setNextAvailIndex(queue.nextAvailIndex());
        assertEquals(1, resumed.pop().orElseThrow().headIndex());
        DescriptorChain last = resumed.pop().orElseThrow();
        assertEquals(2, last.headIndex());
        resumed.addUsed(last, 0);
        assertEquals(2, driver.usedIndex());
        assertThrows(IllegalArgumentException.class, () -> resumed.setNextAvailIndex(0x10000));
    }

    // §2.7.8: the used ring.

    @Test
    public void usedElementIsWrittenThenItsIndexPublished() {
        open(false);
        int head = driver.add(List.of(Segment.readable(DATA, 16), Segment.writable(DATA + 16, 32)));
        DescriptorChain chain = popOne();
        assertEquals(0, driver.usedIndex());
        queue.addUsed(chain, 20);
        long element = Virtq.usedEntry(driver.usedRing(), 0);
        assertEquals(head, memory.readInt(element));
        assertEquals(20, memory.readInt(element + 4));
        assertEquals(1, driver.usedIndex());
    }

    @Test
    public void writtenLengthBeyondWritableBuffersIsRefused() {
        open(false);
        driver.add(List.of(Segment.readable(DATA, 16), Segment.writable(DATA + 16, 32)));
        DescriptorChain chain = popOne();
        assertThrows(IllegalArgumentException.class, () -> queue.addUsed(chain, 33));
        assertThrows(IllegalArgumentException.class, () -> queue.addUsed(chain, -1));
        assertEquals(0, driver.usedIndex());
        queue.addUsed(chain, 32);
    }

    @Test
    public void chainGivenBackTwiceIsRefused() {
        open(false);
        driver.add(List.of(Segment.writable(DATA, 16)));
        DescriptorChain chain = popOne();
        queue.addUsed(chain, 0);
        assertThrows(IllegalStateException.class, () -> queue.addUsed(chain, 0));
        assertEquals(1, driver.usedIndex());
    }

    @Test
    public void chainOfAnotherQueueIsRefused() throws Exception {
        open(false);
        driver.add(List.of(Segment.writable(DATA, 16)));
        DescriptorChain chain = popOne();
        Virtqueue other = new Virtqueue(4, memory, SIZE, driver.descTable(), driver.availRing(), driver.usedRing(), false);
        assertThrows(IllegalArgumentException.class, () -> other.addUsed(chain, 0));
    }

    @Test
    public void usedIndexResumesFromTheRing() throws Exception {
        open(false);
        memory.writeShort(driver.usedRing() + Virtq.RING_IDX, (short) 5);
        Virtqueue resumed = new Virtqueue(0, memory, SIZE, driver.descTable(), driver.availRing(), driver.usedRing(), false);
        driver.add(List.of(Segment.writable(DATA, 16)));
        resumed.addUsed(resumed.pop().orElseThrow(), 4);
        assertEquals(6, driver.usedIndex());
        assertEquals(4, memory.readInt(Virtq.usedEntry(driver.usedRing(), 5) + 4));
    }

    @Test
    public void vanishedRingIsRingFaultNotException() {
        open(true);
        driver.add(List.of(Segment.writable(DATA, 16)));
        memory.clear();
        assertFalse(queue.pop().isPresent());
        assertNotNull(queue.ringFault());
        assertFalse(queue.needsNotification());
    }

    // §2.7.10: used buffer notification suppression.

    @Test
    public void eventIdxSuppressesInterruptUntilUsedEvent() {
        open(true);
        driver.setUsedEvent(2);
        for (int i = 0; i < 3; i++) {
            driver.add(List.of(Segment.writable(DATA + 16L * i, 16)));
        }
        queue.addUsed(popOne(), 0);
        assertFalse(queue.needsNotification());
        queue.addUsed(popOne(), 0);
        assertFalse(queue.needsNotification());
        queue.addUsed(popOne(), 0);
        assertTrue("the entry at used index 2 was written", queue.needsNotification());
        assertFalse("nothing new since", queue.needsNotification());
    }

    @Test
    public void eventIdxRequestsInterruptWhenUsedEventCrossed() {
        open(true);
        driver.setUsedEvent(1);
        for (int i = 0; i < 4; i++) {
            driver.add(List.of(Segment.writable(DATA + 16L * i, 16)));
        }
        for (int i = 0; i < 3; i++) {
            queue.addUsed(popOne(), 0);
        }
        assertTrue("a batch 0..2 crosses used_event 1", queue.needsNotification());
        queue.addUsed(popOne(), 0);
        assertFalse("used_event 1 already passed", queue.needsNotification());
    }

    @Test
    public void eventIdxCrossingWrapsAt16Bits() {
        assertTrue(Virtq.needEvent(0xffff, 1, 0xfffe));
        assertTrue(Virtq.needEvent(0, 1, 0xffff));
        assertFalse(Virtq.needEvent(0xffff, 0xffff, 0xfffe));
        assertFalse(Virtq.needEvent(1, 1, 0xffff));
        assertTrue(Virtq.needEvent(0xfffe, 0, 0xfff0));
        assertFalse(Virtq.needEvent(5, 7, 7));
    }

    @Test
    public void eventIdxIgnoresNoInterruptFlag() {
        open(true);
        driver.setAvailFlags(Virtq.AVAIL_F_NO_INTERRUPT);
        driver.setUsedEvent(0);
        driver.add(List.of(Segment.writable(DATA, 16)));
        queue.addUsed(popOne(), 0);
        assertTrue(queue.needsNotification());
    }

    @Test
    public void noInterruptFlagSuppressesWithoutEventIdx() {
        open(false);
        driver.setAvailFlags(Virtq.AVAIL_F_NO_INTERRUPT);
        driver.setUsedEvent(0);
        driver.add(List.of(Segment.writable(DATA, 16)));
        driver.add(List.of(Segment.writable(DATA, 16)));
        queue.addUsed(popOne(), 0);
        assertFalse(queue.needsNotification());
        driver.setAvailFlags(0);
        queue.addUsed(popOne(), 0);
        assertTrue(queue.needsNotification());
    }

    @Test
    public void noInterruptWhenNothingWasUsed() {
        open(false);
        assertFalse(queue.needsNotification());
    }

    // §2.7.10: available buffer notification suppression.

    @Test
    public void disableNotificationsSetsNoNotifyWithoutEventIdx() {
        open(false);
        queue.disableNotifications();
        assertEquals(Virtq.USED_F_NO_NOTIFY, driver.usedFlags());
        driver.add(List.of(Segment.writable(DATA, 16)));
        assertFalse(driver.kickNeeded());
        assertTrue("a chain arrived while notifications were off", queue.enableNotifications());
        assertEquals(0, driver.usedFlags());
        popOne();
        assertFalse(queue.enableNotifications());
        driver.add(List.of(Segment.writable(DATA, 16)));
        assertTrue(driver.kickNeeded());
    }

    @Test
    public void eventIdxAvailEventFollowsTheDevice() {
        open(true);
        driver.add(List.of(Segment.writable(DATA, 16)));
        assertTrue("avail_event 0 is crossed by the first entry", driver.kickNeeded());
        driver.add(List.of(Segment.writable(DATA, 16)));
        assertFalse("the device has not moved avail_event", driver.kickNeeded());
        popOne();
        popOne();
        assertEquals(2, driver.availEvent());
        driver.add(List.of(Segment.writable(DATA, 16)));
        assertTrue(driver.kickNeeded());
        assertEquals(0, driver.usedFlags());
    }

    @Test
    public void eventIdxDisableStopsKicksAndKeepsFlagsZero() {
        open(true);
        queue.disableNotifications();
        assertEquals(0, driver.usedFlags());
        for (int i = 0; i < 3; i++) {
            driver.add(List.of(Segment.writable(DATA, 16)));
            assertFalse(driver.kickNeeded());
        }
        popOne();
        driver.add(List.of(Segment.writable(DATA, 16)));
        assertFalse(driver.kickNeeded());
        assertTrue(queue.enableNotifications());
        assertEquals(1, driver.availEvent());
        while (queue.pop().isPresent()) {
            // drain
        }
        assertFalse(queue.enableNotifications());
        driver.add(List.of(Segment.writable(DATA, 16)));
        assertTrue(driver.kickNeeded());
    }

    // §2.7 / §4.1.4.3: queue configuration.

    @Test
    public void queueSizeNotPowerOfTwoIsRefusedNamingField() {
        InvalidQueueException refused = assertThrows(InvalidQueueException.class,
                () -> new Virtqueue(2, memory, 3, 0x1000, 0x2000, 0x3000, false));
        assertEquals("size", refused.field());
        assertEquals(3, refused.value());
        assertTrue(refused.getMessage(), refused.getMessage().contains("size=3"));
        assertTrue(refused.getMessage(), refused.getMessage().contains("virtqueue 2"));
    }

    @Test
    public void queueSizeOutsideOneTo32768IsRefused() {
        for (int size : new int[] {0, -4, 65536}) {
            try {
                new Virtqueue(0, memory, size, 0x1000, 0x2000, 0x3000, false);
                fail("size " + size + " accepted");
            } catch (InvalidQueueException e) {
                assertEquals("size", e.field());
            }
        }
    }

    @Test
    public void ringMisalignedIsRefused() {
        assertRefused("descTable", 0x1008, 0x1008, 0x2000, 0x3000);
        assertRefused("availRing", 0x2001, 0x1000, 0x2001, 0x3000);
        assertRefused("usedRing", 0x3002, 0x1000, 0x2000, 0x3002);
    }

    @Test
    public void ringOutsideMemoryIsRefused() {
        assertRefused("descTable", MEMORY_SIZE - 16 * SIZE + 16, MEMORY_SIZE - 16 * SIZE + 16, 0x2000, 0x3000);
        assertRefused("availRing", MEMORY_SIZE - 6 - 2 * SIZE + 2, 0x1000, MEMORY_SIZE - 6 - 2 * SIZE + 2, 0x3000);
        assertRefused("usedRing", MEMORY_SIZE - 64, 0x1000, 0x2000, MEMORY_SIZE - 64);
        assertRefused("descTable", Long.MAX_VALUE - 15, Long.MAX_VALUE - 15, 0x2000, 0x3000);
        assertRefused("usedRing", -4, 0x1000, 0x2000, -4);
    }

    private void assertRefused(String field, long value, long desc, long avail, long used) {
        try {
            new Virtqueue(0, memory, SIZE, desc, avail, used, true);
            fail(field + " accepted");
        } catch (InvalidQueueException e) {
            assertEquals(e.getMessage(), field, e.field());
            assertEquals(value, e.value());
        }
    }

    @Test
    public void ringsAtTheVeryEndOfMemoryAreAccepted() throws Exception {
        long used = MEMORY_SIZE - Virtq.usedRingSize(SIZE);
        long avail = MEMORY_SIZE - 0x1000 - Virtq.availRingSize(SIZE);
        Virtqueue accepted = new Virtqueue(0, memory, SIZE, MEMORY_SIZE - 0x2000, avail, used & ~3L, true);
        assertEquals(SIZE, accepted.size());
    }
}
