package dev.neep.vhostuser.frontend;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import dev.neep.vhostuser.DeviceExtension;
import dev.neep.vhostuser.VhostUserServer;
import dev.neep.vhostuser.protocol.MmapRequest;
import dev.neep.vhostuser.protocol.ProtocolFeatures;
import dev.neep.vhostuser.protocol.VhostUserRequest;
import dev.neep.vhostuser.sys.Fd;
import dev.neep.vhostuser.sys.Mapping;
import dev.neep.vhostuser.sys.Posix;
import dev.neep.virtio.ForwardingVirtioDevice;
import dev.neep.virtio.MappingSource;
import dev.neep.virtio.SharedMemoryException;
import dev.neep.virtio.SharedMemoryRegion;
import dev.neep.virtio.SharedMemoryRegion.Access;
import dev.neep.virtio.SharedMemoryRegion.Cache;
import dev.neep.virtio.VirtioDevice;

/**
 * VIRTIO shared memory regions end to end over a real socket: the back-end serves a device
 * that asks for one region, the project's own front end ({@link FrontEndSharedMemory}) maps
 * what the back-end sends it, and the bytes the device wrote into its file are the bytes a
 * guest would read through the region, and the reverse.
 */
public class SharedMemoryOverVhostUserTest {

    private static final int SHMID = 1;
    private static final long REGION = 1 << 20;
    private static final long PAGE = 4096;

    /**
     * The echo device, asking for one region when the transport can carry file ranges; with
     * {@link #unmapOnReset}, it unmaps what it mapped when it is reset, as a real device does.
     */
    static final class RegionDevice extends ForwardingVirtioDevice {
        final EchoDevice echo = new EchoDevice();
        volatile List<SharedMemoryRegion> regions = List.of();
        final List<long[]> mapped = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile boolean unmapOnReset;
        volatile Exception unmapFailure;

        void map(long offset, MappingSource.FileRange file) throws SharedMemoryException {
            regions.get(0).map(offset, file, Cache.CACHED, Access.READ_WRITE);
            mapped.add(new long[] {offset, file.length()});
        }

        @Override
        public void reset() {
            if (unmapOnReset) {
                for (long[] m : mapped) {
                    try {
                        regions.get(0).unmap(m[0], m[1]);
                    } catch (SharedMemoryException | RuntimeException e) {
                        unmapFailure = e;
                    }
                }
                mapped.clear();
            }
            super.reset();
        }

        @Override
        protected VirtioDevice delegate() {
            return echo;
        }

        @Override
        public List<RegionRequest> sharedMemoryRegions(Set<MappingSource.Kind> carried) {
            return carried.contains(MappingSource.Kind.FILE_RANGE) ? List.of(new RegionRequest(SHMID, REGION))
                    : List.of();
        }

        @Override
        public void provideSharedMemory(List<SharedMemoryRegion> provided) {
            regions = provided;
        }
    }

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final RegionDevice device = new RegionDevice();
    private VhostUserServer server;
    private Path socketPath;
    private Set<String> baselineFds;
    private Fd blob;
    private int blobFd;
    private Mapping blobBytes;

    @Before
    public void start() throws IOException {
        assumeTrue("native access: " + Posix.unavailableReason(), Posix.unavailableReason() == null);
        socketPath = tmp.getRoot().toPath().resolve("vu.sock");
        server = VhostUserServer.listen(socketPath, device, DeviceExtension.NONE).start();
        blob = Posix.memfd("device blob", 2 * PAGE);
        blobFd = blob.acquire();
        blobBytes = Posix.mapShared(blob, 2 * PAGE);
        baselineFds = OpenFds.now();
    }

    @After
    public void stop() {
        if (server != null) {
            server.close();
            blobBytes.close();
            blob.release();
            blob.close();
        }
    }

    private void awaitActivations(int n) throws InterruptedException {
        long end = System.currentTimeMillis() + 5000;
        while (device.echo.activations.get() < n && System.currentTimeMillis() < end) {
            Thread.sleep(10);
        }
        assertEquals(n, device.echo.activations.get());
    }

    private void awaitResets(int n) throws InterruptedException {
        long end = System.currentTimeMillis() + 5000;
        while (device.echo.resets.get() < n && System.currentTimeMillis() < end) {
            Thread.sleep(10);
        }
        assertTrue(device.echo.resets.get() >= n);
    }

    private MappingSource.FileRange blob(long length) {
        return new MappingSource.FileRange(blobFd, 0, length);
    }

    @Test
    public void bytesTheDeviceWroteAreWhatTheGuestSeesAndTheReverse() throws Exception {
        try (FrontEnd fe = new FrontEnd(socketPath)) {
            long features = fe.negotiate(ProtocolFeatures.OFFERED);
            try (FrontEndSharedMemory shm = FrontEndSharedMemory.attach(fe)) {
                assertEquals(1, shm.config().regions());
                assertEquals(REGION, shm.config().size(SHMID));
                fe.startRings(2, features);
                awaitActivations(1);
                assertEquals(1, device.regions.size());
                SharedMemoryRegion region = device.regions.get(0);
                assertEquals(SHMID, region.shmid());
                assertEquals(REGION, region.length());

                ByteBuffer host = blobBytes.pieces(0, 2 * PAGE, (int) (2 * PAGE)).get(0);
                for (int i = 0; i < 2 * PAGE; i += 4) {
                    host.putInt(i, 0x5a000000 | i);
                }
                region.map(0x40000, blob(2 * PAGE), Cache.CACHED, Access.READ_WRITE);
                assertEquals(List.of(new FrontEndSharedMemory.Received(VhostUserRequest.BACKEND_SHMEM_MAP,
                        new MmapRequest(SHMID, 0, 0x40000, 2 * PAGE, MmapRequest.FLAG_MAP_RW))), shm.requests());
                ByteBuffer guest = shm.view(SHMID, 0x40000, (int) (2 * PAGE));
                for (int i = 0; i < 2 * PAGE; i += 4) {
                    assertEquals("guest-visible word at " + i, 0x5a000000 | i, guest.getInt(i));
                }
                guest.putInt((int) PAGE + 8, 0x12345678);
                assertEquals("the device's file sees the guest's write", 0x12345678, host.getInt((int) PAGE + 8));

                region.unmap(0x40000, 2 * PAGE);
                assertEquals(List.of(), shm.mappings(SHMID));
                assertEquals(null, shm.failure());
            }
        }
        OpenFds.assertReleasedSince(baselineFds);
    }

    @Test
    public void mappingTheFrontEndRefusesIsASharedMemoryException() throws Exception {
        try (FrontEnd fe = new FrontEnd(socketPath); Fd notAFile = Posix.eventFd("not mappable")) {
            long features = fe.negotiate(ProtocolFeatures.OFFERED);
            try (FrontEndSharedMemory shm = FrontEndSharedMemory.attach(fe)) {
                fe.startRings(2, features);
                awaitActivations(1);
                SharedMemoryRegion region = device.regions.get(0);
                int n = notAFile.acquire();
                try {
                    assertThrows(SharedMemoryException.class, () -> region.map(0,
                            new MappingSource.FileRange(n, 0, PAGE), Cache.CACHED, Access.READ_ONLY));
                } finally {
                    notAFile.release();
                }
                assertEquals(List.of(), shm.mappings(SHMID));
                region.map(0, blob(PAGE), Cache.CACHED, Access.READ_ONLY);
                assertEquals("the channel survives a refusal", 1, shm.mappings(SHMID).size());
            }
        }
    }

    @Test
    public void deviceResetRemovesWhatTheDeviceLeftMappedAndVoidsTheRegion() throws Exception {
        try (FrontEnd fe = new FrontEnd(socketPath)) {
            long features = fe.negotiate(ProtocolFeatures.OFFERED);
            try (FrontEndSharedMemory shm = FrontEndSharedMemory.attach(fe)) {
                fe.startRings(2, features);
                awaitActivations(1);
                SharedMemoryRegion region = device.regions.get(0);
                region.map(PAGE, blob(PAGE), Cache.CACHED, Access.READ_WRITE);
                assertEquals(0, fe.acked(VhostUserRequest.RESET_DEVICE, FrontEnd.none()));
                long end = System.currentTimeMillis() + 5000;
                while (!shm.mappings(SHMID).isEmpty() && System.currentTimeMillis() < end) {
                    Thread.sleep(10); // the UNMAP was sent, not waited for: the front end was waiting
                }
                assertEquals(List.of(), shm.mappings(SHMID));
                assertEquals(new FrontEndSharedMemory.Received(VhostUserRequest.BACKEND_SHMEM_UNMAP,
                        new MmapRequest(SHMID, 0, PAGE, PAGE, 0)), shm.requests().get(1));
                assertThrows(SharedMemoryException.class,
                        () -> region.map(0, blob(PAGE), Cache.CACHED, Access.READ_WRITE));
            }
        }
    }

    @Test
    public void whenTheFrontEndLeavesEverythingIsReleased() throws Exception {
        FrontEnd fe = new FrontEnd(socketPath);
        FrontEndSharedMemory shm = null;
        try {
            long features = fe.negotiate(ProtocolFeatures.OFFERED);
            shm = FrontEndSharedMemory.attach(fe);
            fe.startRings(2, features);
            awaitActivations(1);
            SharedMemoryRegion region = device.regions.get(0);
            device.unmapOnReset = true;
            device.map(0, blob(2 * PAGE));
            fe.dropConnection();
            awaitResets(1);
            assertEquals("the device's own unmapping on reset is only forgotten", null, device.unmapFailure);
            assertThrows(SharedMemoryException.class,
                    () -> region.map(0, blob(PAGE), Cache.CACHED, Access.READ_WRITE));
            assertEquals("only the map went to the front end", 1, shm.requests().size());
        } finally {
            if (shm != null) {
                shm.close();
            }
            fe.close();
        }
        OpenFds.assertReleasedSince(baselineFds);
    }

    @Test
    public void frontEndWithoutShmemGetsNoRegion() throws Exception {
        try (FrontEnd fe = new FrontEnd(socketPath)) {
            fe.startRings(2, fe.negotiate(ProtocolFeatures.OFFERED & ~ProtocolFeatures.bit(ProtocolFeatures.SHMEM)));
            awaitActivations(1);
            assertEquals(List.of(), device.regions);
        }
    }

    @Test
    public void shmemConfigWithoutShmemDropsTheFrontEnd() throws Exception {
        try (FrontEnd fe = new FrontEnd(socketPath)) {
            fe.negotiate(ProtocolFeatures.OFFERED & ~ProtocolFeatures.bit(ProtocolFeatures.SHMEM));
            fe.send(VhostUserRequest.GET_SHMEM_CONFIG, FrontEnd.none());
            assertTrue(fe.droppedByBackend());
        }
    }

    @Test
    public void frontEndWithoutBackendChannelGetsNoRegion() throws Exception {
        try (FrontEnd fe = new FrontEnd(socketPath)) {
            long features = fe.negotiate(ProtocolFeatures.OFFERED);
            assertEquals(REGION, fe.call(VhostUserRequest.GET_SHMEM_CONFIG, FrontEnd.none()).payload().getLong(8 + 8));
            fe.startRings(2, features);
            awaitActivations(1);
            assertEquals(List.of(), device.regions);
        }
    }
}
