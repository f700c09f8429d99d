package dev.neep.virtio;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.neep.virtio.driver.DriverQueue;
import dev.neep.virtio.driver.Segment;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import org.junit.Before;
import org.junit.Test;

/** The chain's reader and writer: one byte stream over scattered buffers, bounded by the chain. */
public class DescriptorChainTest {

    private static final long DATA = 0x10000;

    private final RegionGuestMemory memory = GuestMemories.heap(0, 1 << 20);
    private DriverQueue driver;
    private Virtqueue queue;

    @Before
    public void open() throws InvalidQueueException {
        driver = DriverQueue.contiguous(memory, 16, 0x1000, false);
        queue = new Virtqueue(0, memory, 16, driver.descTable(), driver.availRing(), driver.usedRing(), false);
    }

    private DescriptorChain pop() {
        DescriptorChain chain = queue.pop().orElseThrow();
        assertNull(chain.fault());
        return chain;
    }

    private static byte[] counting(int length, int first) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (first + i);
        }
        return bytes;
    }

    /** Three readable buffers of 3, 5 and 8 bytes, far apart, holding 0..15 in order. */
    private DescriptorChain scatteredReadable() {
        memory.write(DATA + 0x300, ByteBuffer.wrap(counting(3, 0)));
        memory.write(DATA + 0x100, ByteBuffer.wrap(counting(5, 3)));
        memory.write(DATA + 0x200, ByteBuffer.wrap(counting(8, 8)));
        driver.add(List.of(Segment.readable(DATA + 0x300, 3), Segment.readable(DATA + 0x100, 5),
                Segment.readable(DATA + 0x200, 8), Segment.writable(DATA + 0x400, 4)));
        return pop();
    }

    @Test
    public void chainReaderReadsAcrossDescriptors() {
        DescriptorChain chain = scatteredReadable();
        assertEquals(16, chain.readableLength());
        ChainReader reader = chain.reader();
        ByteBuffer first = ByteBuffer.allocate(6);
        reader.read(first);
        assertArrayEquals(counting(6, 0), first.array());
        assertEquals(0, first.remaining());
        ByteBuffer rest = ByteBuffer.allocate(10);
        reader.read(rest);
        assertArrayEquals(counting(10, 6), rest.array());
        assertEquals(0, reader.remaining());
        assertSame(reader, chain.reader());
    }

    @Test
    public void chainReaderRefusesPastEndAndConsumesNothing() {
        DescriptorChain chain = scatteredReadable();
        ChainReader reader = chain.reader();
        reader.skip(4);
        ByteBuffer tooLong = ByteBuffer.allocate(13);
        ChainException refused = assertThrows(ChainException.class, () -> reader.read(tooLong));
        assertTrue(refused.getMessage(), refused.getMessage().contains("13 bytes"));
        assertTrue(refused.getMessage(), refused.getMessage().contains("12 bytes left"));
        assertEquals(0, tooLong.position());
        assertEquals(12, reader.remaining());
        assertThrows(ChainException.class, () -> reader.readBuffer(13));
        assertThrows(ChainException.class, () -> reader.readBuffer(-1));
        assertThrows(ChainException.class, () -> reader.skip(13));
        assertThrows(ChainException.class, () -> reader.skip(-1));
        assertEquals(12, reader.remaining());
        assertEquals(4, reader.readBuffer(12).get(0));
    }

    @Test
    public void chainReaderBufferIsLittleEndianAtPositionZero() {
        DescriptorChain chain = scatteredReadable();
        chain.reader().skip(2);
        ByteBuffer buffer = chain.reader().readBuffer(4);
        assertEquals(ByteOrder.LITTLE_ENDIAN, buffer.order());
        assertEquals(0, buffer.position());
        assertEquals(4, buffer.limit());
        assertEquals(0x05040302, buffer.getInt(0));
    }

    @Test
    public void chainReaderSkipsAcrossDescriptors() {
        DescriptorChain chain = scatteredReadable();
        chain.reader().skip(9);
        assertEquals(9, chain.reader().readBuffer(1).get(0));
        chain.reader().skip(0);
        chain.reader().skip(6);
        assertEquals(0, chain.reader().remaining());
    }

    @Test
    public void chainWriterWritesAcrossDescriptors() {
        driver.add(List.of(Segment.readable(DATA, 4), Segment.writable(DATA + 0x200, 3),
                Segment.writable(DATA + 0x100, 5)));
        DescriptorChain chain = pop();
        assertEquals(8, chain.writableLength());
        ChainWriter writer = chain.writer();
        writer.write(ByteBuffer.wrap(counting(2, 1)));
        writer.write(ByteBuffer.wrap(counting(4, 3)));
        assertEquals(6, writer.written());
        assertEquals(2, writer.remaining());
        byte[] head = new byte[3];
        byte[] tail = new byte[3];
        memory.read(DATA + 0x200, ByteBuffer.wrap(head));
        memory.read(DATA + 0x100, ByteBuffer.wrap(tail));
        assertArrayEquals(counting(3, 1), head);
        assertArrayEquals(counting(3, 4), tail);
        queue.addUsed(chain, writer.written());
        assertEquals(6, driver.pollUsed().orElseThrow().length());
    }

    @Test
    public void chainWriterRefusesPastEnd() {
        driver.add(List.of(Segment.writable(DATA, 4), Segment.writable(DATA + 0x100, 4)));
        DescriptorChain chain = pop();
        ChainWriter writer = chain.writer();
        writer.write(ByteBuffer.wrap(counting(3, 1)));
        ByteBuffer tooLong = ByteBuffer.wrap(counting(6, 0x40));
        ChainException refused = assertThrows(ChainException.class, () -> writer.write(tooLong));
        assertTrue(refused.getMessage(), refused.getMessage().contains("writable"));
        assertEquals(0, tooLong.position());
        assertEquals(3, writer.written());
        assertEquals(0, memory.readByte(DATA + 3));
        assertEquals(0, memory.readInt(DATA + 0x100));
    }

    @Test
    public void readerAndWriterSeeOnlyTheirOwnPart() {
        memory.write(DATA, ByteBuffer.wrap(counting(4, 1)));
        driver.add(List.of(Segment.readable(DATA, 4), Segment.writable(DATA + 0x100, 4)));
        DescriptorChain chain = pop();
        assertEquals(4, chain.reader().remaining());
        assertEquals(4, chain.writer().remaining());
        chain.writer().write(ByteBuffer.wrap(counting(4, 9)));
        assertArrayEquals(counting(4, 1), chain.reader().readBuffer(4).array());
    }

    @Test
    public void emptyDescriptorsAreSteppedOver() {
        memory.write(DATA, ByteBuffer.wrap(counting(4, 1)));
        memory.write(DATA + 0x100, ByteBuffer.wrap(counting(4, 5)));
        driver.add(List.of(Segment.readable(DATA, 4), Segment.readable(DATA + 0x80, 0),
                Segment.readable(DATA + 0x100, 4), Segment.writable(DATA + 0x180, 0), Segment.writable(DATA + 0x200, 2)));
        DescriptorChain chain = pop();
        assertArrayEquals(counting(8, 1), chain.reader().readBuffer(8).array());
        chain.writer().write(ByteBuffer.wrap(counting(2, 7)));
        assertEquals(0x0807, memory.readShort(DATA + 0x200));
    }

    @Test
    public void indirectChainReadsLikeDirect() {
        memory.write(DATA, ByteBuffer.wrap(counting(8, 1)));
        int head = driver.addIndirect(0x8000, List.of(Segment.readable(DATA, 4), Segment.readable(DATA + 4, 4),
                Segment.writable(DATA + 0x100, 8)));
        DescriptorChain chain = pop();
        assertEquals(head, chain.headIndex());
        assertArrayEquals(counting(8, 1), chain.reader().readBuffer(8).array());
        chain.writer().write(ByteBuffer.allocate(8).putLong(0, 42).order(ByteOrder.LITTLE_ENDIAN));
        assertEquals(8, chain.writer().written());
        assertEquals(15, driver.numFree());
    }

    @Test
    public void faultedChainHasNothingToReadOrWrite() {
        driver.add(List.of(Segment.readable(-16, 4)));
        DescriptorChain chain = queue.pop().orElseThrow();
        assertNotNull(chain.fault());
        assertEquals(0, chain.reader().remaining());
        assertEquals(0, chain.writer().remaining());
        assertThrows(ChainException.class, () -> chain.reader().readBuffer(1));
        assertThrows(ChainException.class, () -> chain.writer().write(ByteBuffer.allocate(1)));
        assertTrue(chain.toString(), chain.toString().contains("fault="));
    }
}
