package dev.neep.vhostuser.protocol;

import static org.junit.Assert.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.junit.Test;

/** The shared memory payloads, byte by byte as the spec lays them out. */
public class ShmemWireTest {

    @Test
    public void mmapRequestIsFortyBytesWithShmidThenPaddingThenFourU64() {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        new MmapRequest(1, 0x2000, 0x30000, 0x4000, MmapRequest.FLAG_MAP_RW).encode(b);
        assertEquals(MmapRequest.SIZE, b.position());
        assertEquals(1, b.get(0));
        for (int i = 1; i < 8; i++) {
            assertEquals("padding byte " + i, 0, b.get(i));
        }
        assertEquals(0x2000, b.getLong(8));
        assertEquals(0x30000, b.getLong(16));
        assertEquals(0x4000, b.getLong(24));
        assertEquals(1, b.getLong(32));
        assertEquals(new MmapRequest(1, 0x2000, 0x30000, 0x4000, 1), MmapRequest.decode(b.flip()));
    }

    @Test
    public void mmapRequestShmidIsUnsigned() {
        ByteBuffer b = ByteBuffer.allocate(MmapRequest.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        new MmapRequest(255, 0, 0, 4096, 0).encode(b);
        assertEquals(255, MmapRequest.decode(b.flip()).shmid());
    }

    @Test
    public void shmemConfigCountsTheRegionsAndIndexesSizesByShmid() {
        long[] sizes = new long[ShmemConfig.MAX_REGIONS];
        sizes[1] = 1L << 30;
        sizes[7] = 4096;
        ByteBuffer b = ByteBuffer.allocate(ShmemConfig.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        ShmemConfig.of(sizes).encode(b);
        assertEquals(2056, b.position());
        assertEquals(2, b.getInt(0));
        assertEquals(0, b.getInt(4));
        assertEquals(1L << 30, b.getLong(8 + 8));
        assertEquals(4096, b.getLong(8 + 7 * 8));
        ShmemConfig decoded = ShmemConfig.decode(b.flip());
        assertEquals(ShmemConfig.of(sizes), decoded);
        assertEquals(1L << 30, decoded.size(1));
        assertEquals(0, decoded.size(0));
    }

    @Test
    public void backEndRequestsHaveNamesOfTheirOwn() {
        assertEquals("BACKEND_SHMEM_MAP(9)", VhostUserRequest.backendName(VhostUserRequest.BACKEND_SHMEM_MAP));
        assertEquals("SET_VRING_ADDR(9)", VhostUserRequest.name(9));
        assertEquals("GET_SHMEM_CONFIG(44)", VhostUserRequest.name(VhostUserRequest.GET_SHMEM_CONFIG));
    }
}
