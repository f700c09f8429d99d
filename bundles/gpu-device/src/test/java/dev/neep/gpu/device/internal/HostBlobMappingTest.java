package dev.neep.gpu.device.internal;

import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_PARAMETER;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_RESOURCE_ID;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_UNSPEC;
import static dev.neep.gpu.protocol.CtrlType.RESP_OK_MAP_INFO;
import static dev.neep.gpu.protocol.CtrlType.RESP_OK_NODATA;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.neep.gpu.api.BackendCapabilities;
import dev.neep.gpu.device.DeviceConfig;
import dev.neep.gpu.protocol.Blobs;
import dev.neep.gpu.protocol.CtrlHdr;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.CtxCreate;
import dev.neep.gpu.protocol.ResourceCreateBlob;
import dev.neep.gpu.protocol.ResourceMapBlob;
import dev.neep.testkit.GpuDriver;
import dev.neep.testkit.RecordingRegion;
import dev.neep.virtio.MappingSource;
import dev.neep.virtio.SharedMemoryDevice.RegionRequest;
import java.util.List;
import java.util.Set;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * RESOURCE_MAP_BLOB and RESOURCE_UNMAP_BLOB through a host-visible region (virtio 1.3 §5.7.6.8),
 * each test named after the rule it holds the device to: every rule is checked before anything is
 * mapped, each broken one answered with its RESP_ERR_* and logged once per cause, and whatever
 * ends a mapping (unmap, unref, reset, a backend swap) leaves the region, the backend and the
 * accounts as they were before it.
 */
public class HostBlobMappingTest {
    private static final long REGION = 1 << 20;
    private static final long PAGE = 4096;

    private Harness h;
    private GpuDriver d;
    private RecordingRegion region;

    @Before
    public void setUp() {
        TestBackend.Provider provider = new TestBackend.Provider("test");
        provider.capabilities = new BackendCapabilities(true, true, true, true);
        h = Harness.start(DeviceConfig.defaults().withHostmem(REGION), provider);
        d = h.driver;
        region = new RecordingRegion(REGION, Set.of(MappingSource.Kind.HOST_MEMORY, MappingSource.Kind.FILE_RANGE),
                h.backend().calls);
        h.device.provideSharedMemory(List.of(region));
        assertEquals(RESP_OK_NODATA, d.ctxCreate(1, 0, "blobs").type());
    }

    @After
    public void tearDown() {
        h.close();
    }

    private void hostBlob(int id, long size) {
        assertEquals(RESP_OK_NODATA, d.createBlob(1, id, Blobs.BLOB_MEM_HOST3D, Blobs.BLOB_FLAG_USE_MAPPABLE, id,
                size, null).type());
    }

    private int map(int id, long offset) {
        return d.submit(new ResourceMapBlob(d.header(CtrlType.CMD_RESOURCE_MAP_BLOB, 0), id, offset)).await()
                .hdr().type();
    }

    /** Nothing mapped anywhere: not in the region, not in the backend, not in the device's account. */
    private void assertNothingMapped() {
        h.settle();
        assertTrue(region.live().isEmpty());
        assertTrue(h.backend().mapped.isEmpty());
        assertEquals(0, h.device.hostVisibleRegionUsed());
        assertEquals(0, h.device.hostVisibleMappings());
    }

    @Test
    public void aMappableHostBlobMapsWithItsCacheTypeAndIsCountedInWholePages() {
        hostBlob(1, 5000);
        assertEquals(Blobs.MAP_CACHE_CACHED, d.mapBlob(1, 2 * PAGE).mapInfo());
        assertEquals(MappingSource.Kind.HOST_MEMORY, region.live().get(2 * PAGE).kind());
        assertEquals(5000, region.live().get(2 * PAGE).length());
        assertEquals(REGION, h.device.hostVisibleRegionSize());
        assertEquals(2 * PAGE, h.device.hostVisibleRegionUsed());
        assertEquals(1, h.device.hostVisibleMappings());
        assertEquals(RESP_OK_NODATA, d.unmapBlob(1).type());
        assertNothingMapped();
    }

    @Test
    public void aHostBlobMappedTwiceIsInvalidParameter() {
        hostBlob(1, PAGE);
        d.mapBlob(1, 0);
        assertEquals(RESP_ERR_INVALID_PARAMETER, map(1, 4 * PAGE));
        assertEquals(1, h.backend().count("mapBlob"));
        assertEquals(1, region.live().size());
    }

    @Test
    public void anOffsetPastTheRegionIsInvalidParameter() {
        hostBlob(1, PAGE);
        assertEquals(RESP_ERR_INVALID_PARAMETER, map(1, REGION));
        assertEquals(RESP_ERR_INVALID_PARAMETER, map(1, -PAGE));
        assertEquals(0, h.backend().count("mapBlob"));
        assertNothingMapped();
    }

    @Test
    public void aBlobReachingPastTheEndOfTheRegionIsInvalidParameter() {
        hostBlob(1, 2 * PAGE);
        assertEquals(RESP_ERR_INVALID_PARAMETER, map(1, REGION - PAGE));
        hostBlob(2, PAGE + 1); // two pages once rounded
        assertEquals(RESP_ERR_INVALID_PARAMETER, map(2, REGION - PAGE));
        assertNothingMapped();
    }

    @Test
    public void anOffsetPlusSizeThatOverflowsIsInvalidParameter() {
        hostBlob(1, 2 * PAGE);
        // 2^64 - 4096: page aligned; offset + size wraps around to a small number
        assertEquals(RESP_ERR_INVALID_PARAMETER, map(1, -PAGE));
        assertEquals(RESP_ERR_INVALID_PARAMETER, map(1, Long.MAX_VALUE - PAGE + 1));
        assertEquals(0, h.backend().count("mapBlob"));
        assertNothingMapped();
    }

    @Test
    public void anUnalignedOffsetIsInvalidParameter() {
        hostBlob(1, PAGE);
        assertEquals(RESP_ERR_INVALID_PARAMETER, map(1, 1));
        assertEquals(RESP_ERR_INVALID_PARAMETER, map(1, PAGE + 512));
        assertEquals(0, h.backend().count("mapBlob"));
        assertNothingMapped();
    }

    @Test
    public void aMappingThatOverlapsALiveOneIsInvalidParameter() {
        hostBlob(1, 2 * PAGE);
        hostBlob(2, PAGE);
        hostBlob(3, 3 * PAGE);
        d.mapBlob(1, 4 * PAGE);
        assertEquals(RESP_ERR_INVALID_PARAMETER, map(2, 5 * PAGE)); // inside
        assertEquals(RESP_ERR_INVALID_PARAMETER, map(3, 2 * PAGE)); // runs into it
        assertEquals(RESP_ERR_INVALID_PARAMETER, map(2, 4 * PAGE)); // same start
        assertEquals(Blobs.MAP_CACHE_CACHED, d.mapBlob(2, 6 * PAGE).mapInfo()); // right after it
        assertEquals(Blobs.MAP_CACHE_CACHED, d.mapBlob(3, PAGE).mapInfo()); // right before it
        assertEquals(3, region.live().size());
    }

    @Test
    public void unmapOfAResourceNotMappedIsInvalidParameter() {
        hostBlob(1, PAGE);
        assertEquals(RESP_ERR_INVALID_PARAMETER, d.unmapBlob(1).type());
        d.mapBlob(1, 0);
        assertEquals(RESP_OK_NODATA, d.unmapBlob(1).type());
        assertEquals(RESP_ERR_INVALID_PARAMETER, d.unmapBlob(1).type());
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, d.unmapBlob(9).type());
        assertEquals(1, h.backend().count("unmapBlob"));
        assertNothingMapped();
    }

    @Test
    public void aGuestBlobOrABlobCreatedWithoutMappableIsInvalidParameter() {
        assertEquals(RESP_OK_NODATA, d.createBlob(1, 1, Blobs.BLOB_MEM_GUEST, Blobs.BLOB_FLAG_USE_MAPPABLE, 0, PAGE,
                d.allocateBacking(PAGE)).type());
        assertEquals(RESP_OK_NODATA, d.createBlob(1, 2, Blobs.BLOB_MEM_HOST3D, Blobs.BLOB_FLAG_USE_SHAREABLE, 2, PAGE,
                null).type());
        assertEquals(RESP_ERR_INVALID_PARAMETER, map(1, 0));
        assertEquals(RESP_ERR_INVALID_PARAMETER, map(2, 0));
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, map(3, 0));
        assertEquals(0, h.backend().count("mapBlob"));
    }

    @Test
    public void unrefWhileMappedUnmapsFromTheRegionThenTheBackendThenReleases() {
        hostBlob(1, PAGE);
        d.mapBlob(1, 0);
        h.backend().calls.clear();
        assertEquals(RESP_OK_NODATA, d.resourceUnref(1).type());
        List<String> order = h.backend().calls.stream()
                .filter(c -> c.startsWith("region") || c.startsWith("unmapBlob") || c.startsWith("resourceUnref"))
                .toList();
        assertEquals(List.of("region unmap 0", "unmapBlob[1]", "resourceUnref[1]"), order);
        assertNothingMapped();
        assertEquals(0, h.device.hostMemoryUsed());
    }

    @Test
    public void resetWhileMappedUnmapsEverythingAndDropsTheRegion() {
        hostBlob(1, PAGE);
        hostBlob(2, PAGE);
        d.mapBlob(1, 0);
        d.mapBlob(2, PAGE);
        h.device.reset();
        assertNothingMapped();
        assertEquals(2, h.backend().count("unmapBlob"));
        assertEquals(0, h.device.hostVisibleRegionSize());
        assertEquals(0, h.device.hostMemoryUsed());
    }

    @Test
    public void backendSwapWhileMappedUnmapsEverythingInTheOldBackend() throws Exception {
        hostBlob(1, PAGE);
        d.mapBlob(1, 0);
        TestBackend old = h.backend();
        h.device.useProvider(new TestBackend.Provider("other"));
        h.settle();
        assertTrue(region.live().isEmpty());
        assertTrue(old.mapped.isEmpty());
        assertEquals(1, old.count("unmapBlob"));
        assertEquals(0, h.device.hostVisibleRegionUsed());
        assertEquals(0, h.device.resourceCount());
    }

    @Test
    public void aRegionThatRefusesIsUnspecAndTheBackendsMappingIsUndone() {
        hostBlob(1, PAGE);
        region.refuse("the VMM said no");
        for (int i = 0; i < 3; i++) {
            assertEquals(RESP_ERR_UNSPEC, map(1, 0));
        }
        assertEquals(3, h.backend().count("unmapBlob"));
        assertNothingMapped();
        region.refuse(null);
        assertEquals(RESP_OK_MAP_INFO, map(1, 0));
    }

    @Test
    public void eachBrokenRuleIsLoggedOnceUnderItsCauseAndRepeatsAreCounted() {
        TestBackend backend = new TestBackend(new BackendCapabilities(true, true, true, true), List.of(), f -> { },
                true);
        ProcessorHarness p = new ProcessorHarness(DeviceConfig.defaults().withHostmem(REGION), backend,
                ProcessorHarness.ALL_FEATURES);
        p.core.useRegion(new RecordingRegion(REGION));
        assertTrue(p.execute(new CtxCreate(new CtrlHdr(CtrlType.CMD_CTX_CREATE, 0, 0, 1, 0), 1, 0, "x")).isOk());
        assertTrue(p.execute(new ResourceCreateBlob(new CtrlHdr(CtrlType.CMD_RESOURCE_CREATE_BLOB, 0, 0, 1, 0), 5,
                Blobs.BLOB_MEM_HOST3D, Blobs.BLOB_FLAG_USE_MAPPABLE, 0, 1, PAGE)).isOk());
        for (long offset : new long[] {1, REGION, -PAGE}) {
            assertEquals(RESP_ERR_INVALID_PARAMETER,
                    p.execute(new ResourceMapBlob(CtrlHdr.of(CtrlType.CMD_RESOURCE_MAP_BLOB), 5, offset)).type());
        }
        assertEquals(RESP_OK_MAP_INFO, p.execute(new ResourceMapBlob(CtrlHdr.of(CtrlType.CMD_RESOURCE_MAP_BLOB), 5,
                0)).type());
        assertEquals(RESP_ERR_INVALID_PARAMETER, p.execute(new ResourceMapBlob(CtrlHdr.of(
                CtrlType.CMD_RESOURCE_MAP_BLOB), 5, PAGE)).type());
        assertEquals(3, p.log.count("CMD_RESOURCE_MAP_BLOB: offset"));
        assertEquals(1, p.log.count("CMD_RESOURCE_MAP_BLOB: already mapped"));
    }

    @Test
    public void withoutARegionMapIsUnspecAndNeverReachesTheBackend() {
        h.device.reset();
        h.close();
        TestBackend.Provider provider = new TestBackend.Provider("test");
        provider.capabilities = new BackendCapabilities(true, true, true, true);
        h = Harness.start(DeviceConfig.defaults(), provider);
        d = h.driver;
        d.ctxCreate(1, 0, "blobs");
        hostBlob(1, PAGE);
        assertEquals(RESP_ERR_UNSPEC, map(1, 0));
        assertEquals(0, h.backend().count("mapBlob"));
    }

    @Test
    public void aRegionThatMapsOnlyFilesGetsTheBackendsFileDescriptorOrNothing() {
        region = new RecordingRegion(REGION, Set.of(MappingSource.Kind.FILE_RANGE), h.backend().calls);
        h.device.reset();
        h.close();
        TestBackend.Provider withFds = new TestBackend.Provider("fds");
        withFds.capabilities = new BackendCapabilities(true, true, true, true, true);
        h = Harness.start(DeviceConfig.defaults().withHostmem(REGION), withFds);
        d = h.driver;
        h.device.provideSharedMemory(List.of(region));
        d.ctxCreate(1, 0, "blobs");
        hostBlob(1, PAGE);
        d.mapBlob(1, 0);
        MappingSource.FileRange file = (MappingSource.FileRange) region.live().get(0L);
        assertEquals(101, file.fd());
        assertEquals(PAGE, file.length());
        d.unmapBlob(1);
        assertNothingMapped();
    }

    @Test
    public void aBackendWithoutFileDescriptorsOverAFileOnlyRegionIsUnspecAndMapsNothing() {
        RecordingRegion files = new RecordingRegion(REGION, Set.of(MappingSource.Kind.FILE_RANGE), h.backend().calls);
        h.driver.close();
        h.driver = GpuDriver.start(h.device, h.memory, h.allocator, GpuDriver.Options.defaults());
        h.device.provideSharedMemory(List.of(files));
        d = h.driver;
        d.ctxCreate(1, 0, "blobs");
        hostBlob(1, PAGE);
        assertEquals(RESP_ERR_UNSPEC, map(1, 0));
        assertEquals(1, h.backend().count("unmapBlob"));
        assertTrue(files.live().isEmpty());
        assertTrue(h.backend().mapped.isEmpty());
    }

    @Test
    public void theRegionIsAskedForOnlyWhenHostmemIsSetAndTheTransportCanCarryWhatTheBackendMaps() {
        Set<MappingSource.Kind> memory = Set.of(MappingSource.Kind.HOST_MEMORY, MappingSource.Kind.FILE_RANGE);
        Set<MappingSource.Kind> files = Set.of(MappingSource.Kind.FILE_RANGE);
        assertEquals(List.of(new RegionRequest(1, REGION)), h.device.sharedMemoryRegions(memory));
        // this backend's mappings come without a file descriptor (as virglrenderer's)
        assertEquals(List.of(), h.device.sharedMemoryRegions(files));
        try (GpuDevice none = new GpuDevice(DeviceConfig.defaults())) {
            assertEquals(List.of(), none.sharedMemoryRegions(memory));
        }
    }
}
