package dev.neep.vhostuser.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.util.List;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import dev.neep.vhostuser.protocol.ProtocolFeatures;
import dev.neep.vhostuser.protocol.ShmemConfig;
import dev.neep.vhostuser.sys.Posix;
import dev.neep.virtio.SharedMemoryDevice.RegionRequest;

/** When a device gets regions over vhost-user, and what GET_SHMEM_CONFIG and the protocol features say. */
public class SharedMemoryTest {

    private static final long ALL = ProtocolFeatures.OFFERED;

    private FakeBackendPeer peer;
    private long negotiated = ALL;

    @Before
    public void setUp() throws Exception {
        assumeTrue("native access: " + Posix.unavailableReason(), Posix.unavailableReason() == null);
        peer = new FakeBackendPeer(300);
    }

    @After
    public void tearDown() {
        if (peer != null) {
            peer.close();
        }
    }

    private SharedMemory shmem(RegionRequest... wanted) {
        return new SharedMemory(() -> List.of(wanted), peer.backend, () -> negotiated);
    }

    @Test
    public void shmemConfigHasTheDeviceRegionsByShmid() {
        ShmemConfig c = shmem(new RegionRequest(1, 1L << 28), new RegionRequest(3, 8192)).config();
        assertEquals(2, c.regions());
        assertEquals(1L << 28, c.size(1));
        assertEquals(8192, c.size(3));
        assertEquals(0, c.size(0));
    }

    @Test
    public void shmemIsOfferedOnlyToADeviceThatAsksForRegions() {
        assertTrue(ProtocolFeatures.has(shmem(new RegionRequest(1, 4096)).offeredProtocolFeatures(),
                ProtocolFeatures.SHMEM));
        assertFalse(ProtocolFeatures.has(shmem().offeredProtocolFeatures(), ProtocolFeatures.SHMEM));
        assertTrue(ProtocolFeatures.has(shmem().offeredProtocolFeatures(), ProtocolFeatures.BACKEND_SEND_FD));
    }

    @Test
    public void frontEndThatNegotiatedEverythingGetsTheRegionsAsReported() {
        SharedMemory s = shmem(new RegionRequest(1, 1L << 20));
        s.config();
        var regions = s.forActivation();
        assertEquals(1, regions.size());
        assertEquals(1, regions.get(0).shmid());
        assertEquals(1L << 20, regions.get(0).length());
    }

    @Test
    public void frontEndWithoutShmemGetsNoRegion() {
        assertNoRegionWithout(ProtocolFeatures.SHMEM);
    }

    @Test
    public void frontEndWithoutBackendSendFdGetsNoRegion() {
        assertNoRegionWithout(ProtocolFeatures.BACKEND_SEND_FD);
    }

    @Test
    public void frontEndWithoutReplyAckGetsNoRegion() {
        assertNoRegionWithout(ProtocolFeatures.REPLY_ACK);
    }

    @Test
    public void frontEndWithoutBackendReqGetsNoRegion() {
        assertNoRegionWithout(ProtocolFeatures.BACKEND_REQ);
    }

    private void assertNoRegionWithout(int feature) {
        negotiated = ALL & ~ProtocolFeatures.bit(feature);
        SharedMemory s = shmem(new RegionRequest(1, 1L << 20));
        s.config();
        assertTrue(s.forActivation().isEmpty());
    }

    @Test
    public void frontEndThatNeverAskedShmemConfigGetsNoRegion() {
        assertTrue(shmem(new RegionRequest(1, 1L << 20)).forActivation().isEmpty());
    }

    @Test
    public void frontEndWithoutBackendChannelGetsNoRegion() {
        SharedMemory s = shmem(new RegionRequest(1, 1L << 20));
        s.config();
        peer.backend.close();
        assertTrue(s.forActivation().isEmpty());
    }
}
