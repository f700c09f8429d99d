package dev.neep.virtio;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.Test;

public class RegionGuestMemoryTest {

    private static final long GIB = 1L << 30;

    @Test
    public void readsAndWritesAreLittleEndian() {
        RegionGuestMemory memory = GuestMemories.heap(0x1000, 64);
        memory.writeLong(0x1000, 0x0102030405060708L);
        assertEquals(0x08, memory.readByte(0x1000));
        assertEquals(0x0708, memory.readShort(0x1000));
        assertEquals(0x05060708, memory.readInt(0x1000));
        assertEquals(0x0102030405060708L, memory.readLong(0x1000));
        memory.writeShort(0x1010, (short) 0xbeef);
        assertEquals((byte) 0xef, memory.readByte(0x1010));
    }

    @Test
    public void accessSpanningTwoRegions() {
        RegionGuestMemory memory = new RegionGuestMemory();
        memory.add(GuestMemories.heapRegion(0x1000, 0x1000));
        memory.add(GuestMemories.directRegion(0x2000, 0x1000));
        assertTrue(memory.contains(0x1ff0, 0x20));

        memory.writeLong(0x1ffc, 0x1122334455667788L);
        assertEquals(0x1122334455667788L, memory.readLong(0x1ffc));
        assertEquals(0x11223344, memory.readInt(0x2000));
        assertEquals(0x55667788, memory.readInt(0x1ffc));

        byte[] pattern = new byte[32];
        for (int i = 0; i < pattern.length; i++) {
            pattern[i] = (byte) (i + 1);
        }
        memory.write(0x1ff0, ByteBuffer.wrap(pattern));
        ByteBuffer back = ByteBuffer.allocate(32);
        memory.read(0x1ff0, back);
        assertArrayEquals(pattern, back.array());

        List<ByteBuffer> slices = memory.slices(0x1ff0, 32);
        assertEquals(2, slices.size());
        assertEquals(16, slices.get(0).remaining());
        assertEquals(16, slices.get(1).remaining());
        assertEquals(ByteOrder.LITTLE_ENDIAN, slices.get(1).order());
        assertEquals(17, slices.get(1).get(0));
    }

    @Test
    public void accessAcrossAHoleIsRefusedAndTouchesNothing() {
        RegionGuestMemory memory = new RegionGuestMemory();
        memory.add(GuestMemories.heapRegion(0x1000, 0x1000));
        memory.add(GuestMemories.heapRegion(0x3000, 0x1000));
        assertFalse(memory.contains(0x1ff0, 0x20));
        assertThrows(GuestMemoryException.class, () -> memory.write(0x1ff0, ByteBuffer.wrap(new byte[32]).put(0, (byte) 9)));
        assertThrows(GuestMemoryException.class, () -> memory.writeLong(0x1ffc, -1L));
        assertEquals(0, memory.readInt(0x1ffc));
        assertEquals(0, memory.readByte(0x1ff0));
    }

    @Test
    public void accessOutsideMemoryIsRefused() {
        RegionGuestMemory memory = GuestMemories.heap(0x1000, 0x1000);
        GuestMemoryException before = assertThrows(GuestMemoryException.class, () -> memory.readByte(0xfff));
        assertEquals(0xfff, before.gpa());
        assertEquals(1, before.length());
        assertThrows(GuestMemoryException.class, () -> memory.readInt(0x1ffd));
        assertThrows(GuestMemoryException.class, () -> memory.readLong(-8));
        assertThrows(GuestMemoryException.class, () -> memory.slices(0x1000, -1));
        assertThrows(GuestMemoryException.class, () -> memory.read(0x1f00, ByteBuffer.allocate(0x101)));
        assertFalse(memory.contains(0x1000, 0x1001));
        assertFalse(memory.contains(0x1000, -1));
        assertTrue(memory.contains(0x1000, 0x1000));
    }

    @Test
    public void addressPlusLengthOverflowIsRefused() {
        RegionGuestMemory memory = new RegionGuestMemory();
        memory.add(GuestMemories.heapRegion(Long.MAX_VALUE - 0x1000, 0x1000));
        assertTrue(memory.contains(Long.MAX_VALUE - 8, 8));
        assertFalse(memory.contains(Long.MAX_VALUE - 8, 9));
        assertFalse(memory.contains(Long.MAX_VALUE - 8, Long.MAX_VALUE));
        assertFalse(memory.contains(Long.MIN_VALUE, 8));
        assertThrows(GuestMemoryException.class, () -> memory.readLong(Long.MAX_VALUE - 4));
        assertThrows(GuestMemoryException.class, () -> memory.read(Long.MAX_VALUE - 8, ByteBuffer.allocate(16)));
        assertEquals(0, memory.readLong(Long.MAX_VALUE - 8));
    }

    @Test
    public void emptyAccessCountsInsideARegionOrAtItsEnd() {
        RegionGuestMemory memory = GuestMemories.heap(0x1000, 0x1000);
        assertTrue(memory.contains(0x1000, 0));
        assertTrue(memory.contains(0x2000, 0));
        assertFalse(memory.contains(0x2001, 0));
        assertFalse(memory.contains(0xfff, 0));
        assertTrue(memory.slices(0x2000, 0).isEmpty());
        assertThrows(GuestMemoryException.class, () -> memory.slices(0x2001, 0));
    }

    @Test
    public void overlappingRegionIsRefused() {
        RegionGuestMemory memory = GuestMemories.heap(0x1000, 0x1000);
        assertThrows(IllegalArgumentException.class, () -> memory.add(GuestMemories.heapRegion(0x1fff, 0x10)));
        assertThrows(IllegalArgumentException.class, () -> memory.add(GuestMemories.heapRegion(0x800, 0x801)));
        memory.add(GuestMemories.heapRegion(0x2000, 0x10));
        assertEquals(2, memory.regions().size());
    }

    @Test
    public void regionPiecesMustMatchItsSize() {
        List<ByteBuffer> pieces = List.of(ByteBuffer.allocate(16), ByteBuffer.allocate(16));
        assertThrows(IllegalArgumentException.class, () -> new MemoryRegion(0, 33, pieces));
        assertThrows(IllegalArgumentException.class, () -> new MemoryRegion(0, 16, List.of(ByteBuffer.allocate(16).asReadOnlyBuffer())));
        assertThrows(IllegalArgumentException.class, () -> new MemoryRegion(-16, 16, List.of(ByteBuffer.allocate(16))));
        assertThrows(IllegalArgumentException.class, () -> new MemoryRegion(Long.MAX_VALUE - 8, 16, List.of(ByteBuffer.allocate(16))));
        assertEquals(32, new MemoryRegion(0, 32, pieces).size());
    }

    @Test
    public void regionTakesPiecesFromPositionToLimit() {
        ByteBuffer backing = ByteBuffer.allocate(32);
        backing.position(8).limit(24);
        RegionGuestMemory memory = new RegionGuestMemory();
        memory.add(new MemoryRegion(0x100, 16, List.of(backing)));
        backing.clear();
        memory.writeByte(0x100, (byte) 7);
        assertEquals(7, backing.get(8));
        assertFalse(memory.contains(0x100, 17));
    }

    @Test
    public void removeClosesTheOwner() {
        AtomicInteger closed = new AtomicInteger();
        RegionGuestMemory memory = new RegionGuestMemory();
        memory.add(new MemoryRegion(0x1000, 16, List.of(ByteBuffer.allocate(16)), closed::incrementAndGet));
        assertFalse(memory.remove(0x1001));
        assertEquals(0, closed.get());
        assertTrue(memory.remove(0x1000));
        assertEquals(1, closed.get());
        assertFalse(memory.contains(0x1000, 1));
        assertThrows(GuestMemoryException.class, () -> memory.readByte(0x1000));
    }

    @Test
    public void clearClosesEveryOwnerAndReportsFailures() {
        AtomicInteger closed = new AtomicInteger();
        RegionGuestMemory memory = new RegionGuestMemory();
        memory.add(new MemoryRegion(0x1000, 16, List.of(ByteBuffer.allocate(16)), closed::incrementAndGet));
        memory.add(new MemoryRegion(0x2000, 16, List.of(ByteBuffer.allocate(16)), () -> {
            throw new java.io.IOException("munmap failed");
        }));
        memory.add(new MemoryRegion(0x3000, 16, List.of(ByteBuffer.allocate(16)), closed::incrementAndGet));
        IllegalStateException failure = assertThrows(IllegalStateException.class, memory::clear);
        assertEquals("munmap failed", failure.getCause().getMessage());
        assertEquals(2, closed.get());
        assertTrue(memory.regions().isEmpty());
    }

    @Test
    public void piecesSplitAtThePieceSize() {
        MemoryRegion region = GuestMemories.region(0x4000, 10_000, 4096, ByteBuffer::allocateDirect);
        assertEquals(3, region.pieces().size());
        assertEquals(10_000 - 8192, region.pieces().get(2).capacity());
        RegionGuestMemory memory = new RegionGuestMemory();
        memory.add(region);

        memory.writeLong(0x4000 + 4093, 0xa1a2a3a4a5a6a7a8L);
        assertEquals(0xa1a2a3a4a5a6a7a8L, memory.readLong(0x4000 + 4093));
        assertEquals((short) 0xa4a5, memory.readShort(0x4000 + 4096));
        assertEquals((byte) 0xa8, region.pieces().get(0).get(4093));
        assertEquals((byte) 0xa1, region.pieces().get(1).get(4));

        List<ByteBuffer> slices = memory.slices(0x4000 + 4000, 6000);
        assertEquals(3, slices.size());
        assertEquals(96, slices.get(0).remaining());
        assertEquals(4096, slices.get(1).remaining());
        assertEquals(1808, slices.get(2).remaining());
        assertThrows(GuestMemoryException.class, () -> memory.readInt(0x4000 + 9998));
    }

    @Test
    public void regionsLargerThan2GiBWorkInPieces() throws Exception {
        // A sparse file keeps the test's real memory to the few pages it touches.
        File file = File.createTempFile("neep-guest-memory", ".bin");
        file.deleteOnExit();
        try (RandomAccessFile raf = new RandomAccessFile(file, "rw"); FileChannel channel = raf.getChannel()) {
            raf.setLength(3 * GIB);
            List<ByteBuffer> pieces = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                pieces.add(channel.map(FileChannel.MapMode.READ_WRITE, i * GIB, GIB));
            }
            long base = 0x1_0000_0000L;
            AtomicBoolean closed = new AtomicBoolean();
            RegionGuestMemory memory = new RegionGuestMemory();
            memory.add(new MemoryRegion(base, 3 * GIB, pieces, () -> closed.set(true)));

            assertTrue(memory.contains(base, 3 * GIB));
            assertFalse(memory.contains(base, 3 * GIB + 1));
            long pastTwoGiB = base + 2 * GIB + GIB / 2;
            memory.writeLong(pastTwoGiB, 0x0123456789abcdefL);
            assertEquals(0x0123456789abcdefL, memory.readLong(pastTwoGiB));
            assertEquals(0x0123456789abcdefL, pieces.get(2).order(ByteOrder.LITTLE_ENDIAN).getLong((int) (GIB / 2)));

            long acrossTwoGiB = base + 2 * GIB - 4;
            memory.writeLong(acrossTwoGiB, -2L);
            assertEquals(-2L, memory.readLong(acrossTwoGiB));
            List<ByteBuffer> slices = memory.slices(base + GIB - 16, GIB + 32);
            assertEquals(3, slices.size());
            assertEquals(16, slices.get(0).remaining());
            assertEquals((int) GIB, slices.get(1).remaining());
            assertEquals(16, slices.get(2).remaining());
            assertEquals(-2, slices.get(1).getInt((int) GIB - 4));
            assertEquals(-1, slices.get(2).getInt(0));

            ByteBuffer last = ByteBuffer.allocate(8);
            memory.write(base + 3 * GIB - 8, ByteBuffer.allocate(8).putLong(0, 42).order(ByteOrder.BIG_ENDIAN));
            memory.read(base + 3 * GIB - 8, last);
            assertEquals(42, last.getLong(0));
            assertThrows(GuestMemoryException.class, () -> memory.readByte(base + 3 * GIB));

            assertTrue(memory.remove(base));
            assertTrue(closed.get());
        }
    }

    @Test
    public void pieceLargerThan1GiBIsRefused() throws Exception {
        File file = File.createTempFile("neep-guest-memory", ".bin");
        file.deleteOnExit();
        try (RandomAccessFile raf = new RandomAccessFile(file, "rw"); FileChannel channel = raf.getChannel()) {
            ByteBuffer big = channel.map(FileChannel.MapMode.READ_WRITE, 0, GIB + 1);
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> new MemoryRegion(0, GIB + 1, List.of(big)));
            assertTrue(refused.getMessage(), refused.getMessage().contains("pieces[0]"));
        }
    }

    @Test
    public void accessesStayWholeWhileRegionsChange() throws Exception {
        RegionGuestMemory memory = GuestMemories.heap(0x1000, 0x1000);
        memory.writeLong(0x1008, 77);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            try {
                while (!stop.get()) {
                    if (memory.readLong(0x1008) != 77) {
                        throw new AssertionError("torn read");
                    }
                    try {
                        memory.readLong(0x10000);
                    } catch (GuestMemoryException expected) {
                        // the region comes and goes
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        reader.start();
        AtomicInteger closed = new AtomicInteger();
        for (int i = 0; i < 2000; i++) {
            memory.add(new MemoryRegion(0x10000, 64, List.of(ByteBuffer.allocate(64)), closed::incrementAndGet));
            assertTrue(memory.remove(0x10000));
        }
        stop.set(true);
        reader.join();
        assertSame(null, failure.get());
        assertEquals(2000, closed.get());
    }
}
