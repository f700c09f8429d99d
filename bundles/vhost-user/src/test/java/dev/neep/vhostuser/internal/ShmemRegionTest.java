package dev.neep.vhostuser.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.nio.ByteBuffer;
import java.util.List;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import dev.neep.vhostuser.protocol.MessageHeader;
import dev.neep.vhostuser.protocol.MmapRequest;
import dev.neep.vhostuser.protocol.ProtocolFeatures;
import dev.neep.vhostuser.protocol.VhostUserRequest;
import dev.neep.vhostuser.sys.Fd;
import dev.neep.vhostuser.sys.Posix;
import dev.neep.virtio.MappingSource;
import dev.neep.virtio.SharedMemoryDevice.RegionRequest;
import dev.neep.virtio.SharedMemoryException;
import dev.neep.virtio.SharedMemoryRegion.Access;
import dev.neep.virtio.SharedMemoryRegion.Cache;

/**
 * A region over vhost-user against a scripted front end: what goes on the back-end request
 * channel for each call, and every rule a call can break, each refused before anything is sent.
 */
public class ShmemRegionTest {

    private static final long REGION = 1 << 20;
    /** Long enough for a loaded machine, short enough for the test of a front end that never answers. */
    private static final int TIMEOUT_MS = 2000;

    private FakeBackendPeer peer;
    private SharedMemory shared;
    private ShmemRegion region;
    private Fd blob;
    private int blobFd;

    @Before
    public void setUp() throws Exception {
        assumeTrue("native access: " + Posix.unavailableReason(), Posix.unavailableReason() == null);
        peer = new FakeBackendPeer(TIMEOUT_MS);
        shared = new SharedMemory(() -> List.of(new RegionRequest(1, REGION)), peer.backend,
                () -> ProtocolFeatures.OFFERED);
        region = new ShmemRegion(1, REGION, shared);
        blob = Posix.memfd("blob", 3 * ShmemRegion.PAGE);
        blobFd = blob.acquire();
    }

    @After
    public void tearDown() {
        if (peer != null) {
            peer.close();
            blob.release();
            blob.close();
        }
    }

    private MappingSource.FileRange file(long offset, long length) {
        return new MappingSource.FileRange(blobFd, offset, length);
    }

    private void mapAcked(long offset, long length) throws Exception {
        var answered = peer.answerNext(0L);
        region.map(offset, file(0, length), Cache.CACHED, Access.READ_WRITE);
        FakeBackendPeer.get(answered).fds().forEach(Fd::close);
    }

    @Test
    public void mapSendsShmemMapWithTheDescriptorAndNeedReply() throws Exception {
        var answered = peer.answerNext(0L);
        region.map(0x3000, file(ShmemRegion.PAGE, 2 * ShmemRegion.PAGE), Cache.CACHED, Access.READ_WRITE);
        FakeBackendPeer.Received r = FakeBackendPeer.get(answered);
        assertEquals(VhostUserRequest.BACKEND_SHMEM_MAP, r.header().request());
        assertEquals(MessageHeader.VERSION | MessageHeader.NEED_REPLY, r.header().flags());
        assertEquals(new MmapRequest(1, ShmemRegion.PAGE, 0x3000, 2 * ShmemRegion.PAGE, MmapRequest.FLAG_MAP_RW),
                r.request());
        assertEquals(1, r.fds().size());
        assertEquals("the descriptor sent is the blob's file", 3 * ShmemRegion.PAGE, Posix.fstat(r.fds().get(0)).size());
        r.fds().forEach(Fd::close);
        assertEquals(1, region.mappings());
    }

    @Test
    public void readOnlyAccessMapsWithoutTheReadWriteFlag() throws Exception {
        var answered = peer.answerNext(0L);
        region.map(0, file(0, ShmemRegion.PAGE), Cache.CACHED, Access.READ_ONLY);
        FakeBackendPeer.Received r = FakeBackendPeer.get(answered);
        assertFalse(r.request().writable());
        r.fds().forEach(Fd::close);
    }

    @Test
    public void mapRefusedByTheFrontEndIsASharedMemoryExceptionAndNothingIsMapped() throws Exception {
        var answered = peer.answerNext(1L);
        SharedMemoryException e = assertThrows(SharedMemoryException.class,
                () -> region.map(0, file(0, ShmemRegion.PAGE), Cache.CACHED, Access.READ_WRITE));
        assertTrue(e.getMessage(), e.getMessage().contains("answered 1"));
        FakeBackendPeer.get(answered).fds().forEach(Fd::close);
        assertEquals(0, region.mappings());
        assertTrue("a refusal keeps the channel", peer.backend.isOpen());
    }

    @Test
    public void frontEndThatDoesNotAnswerInTimeLosesTheChannel() throws Exception {
        var unanswered = peer.answerNext(null);
        SharedMemoryException e = assertThrows(SharedMemoryException.class,
                () -> region.map(0, file(0, ShmemRegion.PAGE), Cache.CACHED, Access.READ_WRITE));
        assertTrue(e.getMessage(), e.getMessage().contains("within " + TIMEOUT_MS + " ms"));
        FakeBackendPeer.get(unanswered).fds().forEach(Fd::close);
        assertFalse("a late answer would be taken for the next one's", peer.backend.isOpen());
        assertEquals(0, region.mappings());
    }

    @Test
    public void answerToAnotherRequestBreaksTheChannel() throws Exception {
        var answered = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                FakeBackendPeer.Received r = peer.receive();
                peer.reply(VhostUserRequest.BACKEND_SHMEM_UNMAP, 0);
                return r;
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThrows(SharedMemoryException.class,
                () -> region.map(0, file(0, ShmemRegion.PAGE), Cache.CACHED, Access.READ_WRITE));
        FakeBackendPeer.get(answered).fds().forEach(Fd::close);
        assertFalse(peer.backend.isOpen());
    }

    @Test
    public void unmapSendsShmemUnmapWithoutDescriptor() throws Exception {
        mapAcked(0x10000, ShmemRegion.PAGE);
        var answered = peer.answerNext(0L);
        region.unmap(0x10000, ShmemRegion.PAGE);
        FakeBackendPeer.Received r = FakeBackendPeer.get(answered);
        assertEquals(VhostUserRequest.BACKEND_SHMEM_UNMAP, r.header().request());
        assertEquals(new MmapRequest(1, 0, 0x10000, ShmemRegion.PAGE, 0), r.request());
        assertTrue(r.fds().isEmpty());
        assertEquals(0, region.mappings());
    }

    @Test
    public void offsetNotPageAlignedIsRefusedBeforeAnythingIsSent() throws Exception {
        assertThrows(IllegalArgumentException.class,
                () -> region.map(0x800, file(0, ShmemRegion.PAGE), Cache.CACHED, Access.READ_WRITE));
        assertThrows(IllegalArgumentException.class,
                () -> region.map(0, file(0x800, ShmemRegion.PAGE), Cache.CACHED, Access.READ_WRITE));
        assertTrue(peer.nothingSent());
    }

    @Test
    public void offsetPastTheRegionIsRefused() throws Exception {
        assertThrows(IllegalArgumentException.class,
                () -> region.map(REGION, file(0, ShmemRegion.PAGE), Cache.CACHED, Access.READ_WRITE));
        assertThrows(IllegalArgumentException.class,
                () -> region.map(REGION - ShmemRegion.PAGE, file(0, 2 * ShmemRegion.PAGE), Cache.CACHED,
                        Access.READ_WRITE));
        assertTrue(peer.nothingSent());
    }

    @Test
    public void offsetPlusSizeOverflowIsRefused() throws Exception {
        assertThrows(IllegalArgumentException.class,
                () -> region.map(ShmemRegion.PAGE, file(0, Long.MAX_VALUE - 10), Cache.CACHED, Access.READ_WRITE));
        assertThrows(IllegalArgumentException.class,
                () -> region.map(Long.MAX_VALUE & -ShmemRegion.PAGE, file(0, ShmemRegion.PAGE), Cache.CACHED,
                        Access.READ_WRITE));
        assertTrue(peer.nothingSent());
    }

    @Test
    public void overlapWithALiveMappingIsRefused() throws Exception {
        mapAcked(0x4000, ShmemRegion.PAGE + 1); // covers two pages
        assertThrows(IllegalArgumentException.class,
                () -> region.map(0x5000, file(0, ShmemRegion.PAGE), Cache.CACHED, Access.READ_WRITE));
        assertThrows(IllegalArgumentException.class,
                () -> region.map(0x3000, file(0, 2 * ShmemRegion.PAGE), Cache.CACHED, Access.READ_WRITE));
        assertThrows("double map", IllegalArgumentException.class,
                () -> region.map(0x4000, file(0, ShmemRegion.PAGE), Cache.CACHED, Access.READ_WRITE));
        assertTrue(peer.nothingSent());
        mapAcked(0x6000, ShmemRegion.PAGE);
        mapAcked(0x2000, 2 * ShmemRegion.PAGE);
        assertEquals(3, region.mappings());
    }

    @Test
    public void unmapOfWhatIsNotMappedIsRefused() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> region.unmap(0, ShmemRegion.PAGE));
        mapAcked(0, 2 * ShmemRegion.PAGE);
        assertThrows("only the whole mapping", IllegalArgumentException.class, () -> region.unmap(0, ShmemRegion.PAGE));
        assertTrue(peer.nothingSent());
    }

    @Test
    public void hostMemoryCannotTravelToAFrontEnd() throws Exception {
        assertEquals(java.util.Set.of(MappingSource.Kind.FILE_RANGE), region.sources());
        ByteBuffer memory = ByteBuffer.allocateDirect(4096);
        assertThrows(IllegalArgumentException.class, () -> region.map(0,
                new MappingSource.HostMemory(0x1000, memory), Cache.CACHED, Access.READ_WRITE));
        assertTrue(peer.nothingSent());
    }

    @Test
    public void afterTheFrontEndLeftUnmapOnlyForgetsAndMapFails() throws Exception {
        mapAcked(0, ShmemRegion.PAGE);
        shared.frontEndGone();
        region.unmap(0, ShmemRegion.PAGE);
        assertEquals(0, region.mappings());
        assertThrows(SharedMemoryException.class,
                () -> region.map(0, file(0, ShmemRegion.PAGE), Cache.CACHED, Access.READ_WRITE));
        assertTrue(peer.nothingSent());
    }

    @Test
    public void resetUnmapsWhatTheDeviceLeftBehindAndVoidsTheRegion() throws Exception {
        shared.config();
        List<dev.neep.virtio.SharedMemoryRegion> regions = shared.forActivation();
        assertEquals(1, regions.size());
        var answered = peer.answerNext(0L);
        regions.get(0).map(0x8000, file(0, ShmemRegion.PAGE), Cache.CACHED, Access.READ_WRITE);
        FakeBackendPeer.get(answered).fds().forEach(Fd::close);

        shared.deviceStopped();
        FakeBackendPeer.Received r = peer.receive();
        assertEquals(VhostUserRequest.BACKEND_SHMEM_UNMAP, r.header().request());
        assertEquals("not waited for: the front end may be waiting for this back-end", MessageHeader.VERSION,
                r.header().flags());
        assertEquals(0x8000, r.request().shmOffset());
        assertThrows(SharedMemoryException.class,
                () -> regions.get(0).map(0, file(0, ShmemRegion.PAGE), Cache.CACHED, Access.READ_WRITE));
    }

    @Test
    public void unmapWhileTheTransportStopsTheDeviceIsNotWaitedFor() throws Exception {
        mapAcked(0x2000, ShmemRegion.PAGE);
        shared.deviceStopping();
        region.unmap(0x2000, ShmemRegion.PAGE); // no answer comes: it must not wait for one
        FakeBackendPeer.Received r = peer.receive();
        assertEquals(VhostUserRequest.BACKEND_SHMEM_UNMAP, r.header().request());
        assertEquals(MessageHeader.VERSION, r.header().flags());
        assertEquals(0, region.mappings());
    }
}
