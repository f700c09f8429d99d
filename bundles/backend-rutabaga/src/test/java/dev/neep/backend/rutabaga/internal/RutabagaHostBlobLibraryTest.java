package dev.neep.backend.rutabaga.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import dev.neep.config.support.TypedConfiguration;
import dev.neep.gpu.api.BlobMapping;
import dev.neep.gpu.api.CreateBlobArgs;
import dev.neep.gpu.api.Fence;
import dev.neep.gpu.api.GpuBackend;
import dev.neep.gpu.protocol.Blobs;
import dev.neep.gpu.protocol.CapsetIds;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Assume;
import org.junit.Before;
import org.junit.Test;

/**
 * cross-domain's host blobs on the real librutabaga_gfx_ffi named by {@code NEEP_RUTABAGA_LIBRARY}
 * (skipped, with the reason, when it is not set): the guest's way to one (a query ring, then
 * CROSS_DOMAIN_CMD_INIT and GET_IMAGE_REQUIREMENTS, whose answer names the blob), then the
 * mapping, whose memory and exported memfd show the same bytes both ways, and nothing left once
 * it is unmapped.
 */
public class RutabagaHostBlobLibraryTest {
    private static final int CTX = 1;
    private static final int QUERY_RING = 1;
    private static final int IMAGE = 2;
    private static final int CMD_INIT = 1;
    private static final int CMD_GET_IMAGE_REQUIREMENTS = 2;
    private static final int DRM_FORMAT_XRGB8888 = 0x34325258;

    private final LinkedBlockingQueue<Fence> signalled = new LinkedBlockingQueue<>();
    private GpuBackend backend;

    @Before
    public void open() throws Exception {
        String path = System.getenv(RutabagaNative.LIBRARY_ENV);
        Assume.assumeTrue(RutabagaBackendLibraryTest.NOT_SET, path != null);
        RutabagaGfxFfi library = RutabagaNative.find("", Map.of(RutabagaNative.LIBRARY_ENV, path)).require();
        backend = RutabagaBackend.open(library, RutabagaSettings.from(TypedConfiguration.read(
                RutabagaBackendConfig.class, Map.of("capset_names", "cross-domain")), Map.of()), signalled::add);
    }

    @After
    public void close() {
        if (backend != null) {
            backend.close();
        }
    }

    /** A cross-domain command: its header (u8 cmd, u8 ring_idx, u16 cmd_size, u32 pad) and u32 fields. */
    private static ByteBuffer command(int cmd, int... fields) {
        ByteBuffer b = ByteBuffer.allocate(8 + 4 * fields.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) cmd).put((byte) 0).putShort((short) b.capacity()).putInt(0);
        for (int f : fields) {
            b.putInt(f);
        }
        return b.flip();
    }

    private void submitAndWait(ByteBuffer command, long fenceId) throws Exception {
        backend.submitCommand(CTX, command, new long[0]);
        Fence fence = new Fence(Fence.FLAG_FENCE | Fence.FLAG_INFO_RING_IDX, fenceId, CTX, 0);
        backend.createFence(fence);
        assertEquals(fence, signalled.poll(5, TimeUnit.SECONDS));
    }

    /** Mappings of memfds in this process, as /proc/self/maps lists them. */
    private static long memfdMappings() throws java.io.IOException {
        try (var lines = Files.lines(Path.of("/proc/self/maps"))) {
            return lines.filter(l -> l.contains("/memfd:")).count();
        }
    }

    @Test
    public void aCrossDomainHostBlobMapsAndItsMemfdShowsTheSameBytesBothWays() throws Exception {
        backend.contextCreate(CTX, CapsetIds.CROSS_DOMAIN, "host blobs");
        // the query ring: a guest blob made outside the context, then attached to it
        ByteBuffer ring = ByteBuffer.allocateDirect(4096).order(ByteOrder.LITTLE_ENDIAN);
        backend.resourceCreateBlob(0, QUERY_RING, new CreateBlobArgs(Blobs.BLOB_MEM_GUEST,
                Blobs.BLOB_FLAG_USE_MAPPABLE, 0, 4096), List.of(ring));
        backend.contextAttachResource(CTX, QUERY_RING);
        submitAndWait(command(CMD_INIT, QUERY_RING, 0, 0), 1);
        submitAndWait(command(CMD_GET_IMAGE_REQUIREMENTS, 64, 64, DRM_FORMAT_XRGB8888, 0), 2);
        long size = ring.getLong(40);
        int blobId = ring.getInt(48);
        assertTrue("image size " + size, size >= 64 * 64 * 4 && size <= Integer.MAX_VALUE);

        backend.resourceCreateBlob(CTX, IMAGE, new CreateBlobArgs(Blobs.BLOB_MEM_HOST3D,
                Blobs.BLOB_FLAG_USE_MAPPABLE | Blobs.BLOB_FLAG_USE_SHAREABLE, blobId, size), List.of());
        long mapsBefore = memfdMappings();
        BlobMapping mapping = backend.mapBlob(IMAGE);
        assertTrue("the library maps the memfd", memfdMappings() > mapsBefore);
        assertEquals("the access bits are masked off", Blobs.MAP_CACHE_CACHED, mapping.mapInfo());
        assertNotEquals(0, mapping.address());
        assertNotNull("a shareable blob is exported", mapping.handle());
        assertEquals(BlobMapping.Handle.SHM, mapping.handle().handleType());
        Path fd = Path.of("/proc/self/fd/" + mapping.handle().fd());
        byte[] one = new byte[4096];
        byte[] two = new byte[4096];
        for (int i = 0; i < one.length; i++) {
            one[i] = (byte) (i * 13 + 5);
            two[i] = (byte) (i * 29 + 1);
        }
        try (FileChannel file = FileChannel.open(fd, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            mapping.memory().put(0, one);
            ByteBuffer seen = ByteBuffer.allocate(one.length);
            file.read(seen, 0);
            assertArrayEquals("the renderer's mapping, read through the memfd", one, seen.array());
            file.write(ByteBuffer.wrap(two), 0);
            byte[] back = new byte[two.length];
            mapping.memory().get(0, back);
            assertArrayEquals("the memfd, read through the renderer's mapping", two, back);
        }
        backend.unmapBlob(IMAGE);
        assertFalse("the exported descriptor is closed at unmap", Files.exists(fd));
        assertEquals("the library's mapping is gone at unmap", mapsBefore, memfdMappings());
        // mapped again (the resource kept its descriptor: it was shareable), then unreferenced while mapped
        BlobMapping again = backend.mapBlob(IMAGE);
        Path fdAgain = Path.of("/proc/self/fd/" + again.handle().fd());
        backend.resourceUnref(IMAGE);
        assertFalse("the exported descriptor is closed at unref", Files.exists(fdAgain));
        assertEquals("the library's mapping is gone at unref", mapsBefore, memfdMappings());
        backend.contextDetachResource(CTX, QUERY_RING);
        backend.resourceUnref(QUERY_RING);
        backend.contextDestroy(CTX);
    }
}
