package dev.neep.backend.virgl.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.fail;

import dev.neep.backend.support.LoadedLibrary;
import dev.neep.gpu.api.BlobMapping;
import dev.neep.gpu.api.Create3dArgs;
import dev.neep.gpu.api.CreateBlobArgs;
import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.api.Transfer;
import dev.neep.gpu.protocol.Blobs;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.virgl.stream.VirglCommandStream;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.After;
import org.junit.Assume;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Host blobs on the real libvirglrenderer: a buffer the context's own command stream makes
 * persistent and coherent, claimed by RESOURCE_CREATE_BLOB, mapped, and its bytes checked both
 * ways against what the renderer copies in and out. Skipped, with the reason, where the library
 * cannot be loaded.
 */
public class VirglHostBlobTest {
    private static final int CTX = 1;
    private static final int BLOB = 2;
    private static final int STAGING = 1;
    private static final int SIZE = 8192;
    private static final int BLOB_ID = 7;
    private static final int PIPE_BUFFER = 0;
    private static final int R8_UNORM = 64;
    private static final int BIND_VERTEX_BUFFER = 1 << 4;

    private static VirglRenderer library;
    private VirglBackend backend;
    private ByteBuffer staging;

    @BeforeClass
    public static void libraryLoads() throws GpuBackendException {
        LoadedLibrary<VirglRenderer> loaded = VirglNative.find("");
        Assume.assumeTrue(loaded.unavailableReason(), loaded.available());
        library = loaded.require();
    }

    @Before
    public void contextWithAStagingBuffer() throws GpuBackendException {
        backend = VirglBackend.open(library, new VirglSettings(VirglSettings.OFFERED, false, ""), f -> { });
        backend.contextCreate(CTX, 0, "host blobs");
        backend.resourceCreate3d(STAGING, new Create3dArgs(PIPE_BUFFER, R8_UNORM, BIND_VERTEX_BUFFER, SIZE, 1, 1, 1,
                0, 0, 0));
        staging = ByteBuffer.allocateDirect(SIZE);
        backend.attachBacking(STAGING, List.of(staging));
        backend.contextAttachResource(CTX, STAGING);
    }

    @After
    public void close() {
        if (backend != null) {
            backend.close();
        }
    }

    private void hostBlob(int flags) throws GpuBackendException {
        backend.submitCommand(CTX, new VirglCommandStream().pipeBufferCreate(SIZE, flags, BLOB_ID).toByteBuffer(),
                new long[0]);
        backend.resourceCreateBlob(CTX, BLOB, new CreateBlobArgs(Blobs.BLOB_MEM_HOST3D, Blobs.BLOB_FLAG_USE_MAPPABLE,
                BLOB_ID, SIZE), List.of());
        backend.contextAttachResource(CTX, BLOB);
    }

    private void copy(int dst, int src) throws GpuBackendException {
        backend.submitCommand(CTX, new VirglCommandStream().copyBufferRegion(dst, 0, src, 0, SIZE).toByteBuffer(),
                new long[0]);
    }

    private static byte[] pattern(int seed) {
        byte[] b = new byte[SIZE];
        for (int i = 0; i < SIZE; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    private static Transfer wholeBuffer() {
        return new Transfer(0, 0, 0, SIZE, 1, 1, 0, 0, 0, 0);
    }

    @Test
    public void whatTheRendererCopiesInIsReadThroughTheMappingAndWhatIsWrittenThereIsCopiedOut() throws Exception {
        hostBlob(VirglCommandStream.RESOURCE_FLAG_MAP_PERSISTENT | VirglCommandStream.RESOURCE_FLAG_MAP_COHERENT);
        // renderer -> mapping
        staging.put(0, pattern(1));
        backend.transferWrite(CTX, STAGING, wholeBuffer());
        copy(BLOB, STAGING);
        BlobMapping mapping = backend.mapBlob(BLOB);
        assertEquals(Blobs.MAP_CACHE_CACHED, mapping.mapInfo());
        assertNotEquals(0, mapping.address());
        assertNull("the renderer's heap has no file descriptor", mapping.handle());
        byte[] seen = new byte[SIZE];
        mapping.memory().get(0, seen);
        assertArrayEquals(pattern(1), seen);
        // mapping -> renderer (a transfer while mapped would fail: unmap first)
        mapping.memory().put(0, pattern(2));
        backend.unmapBlob(BLOB);
        copy(STAGING, BLOB);
        backend.transferRead(CTX, STAGING, wholeBuffer());
        byte[] back = new byte[SIZE];
        staging.get(0, back);
        assertArrayEquals(pattern(2), back);
        backend.resourceUnref(BLOB);
    }

    @Test
    public void aBufferMadeWithoutThePersistentFlagsCannotBeMapped() throws Exception {
        hostBlob(0);
        try {
            backend.mapBlob(BLOB);
            fail("mapped a buffer that is not persistent and coherent");
        } catch (GpuBackendException e) {
            assertEquals(CtrlType.RESP_ERR_UNSPEC, e.responseType());
        }
    }

    @Test
    public void unrefOfAMappedBlobUnmapsItAndTheIdIsFreeAgain() throws Exception {
        hostBlob(VirglCommandStream.RESOURCE_FLAG_MAP_PERSISTENT | VirglCommandStream.RESOURCE_FLAG_MAP_COHERENT);
        backend.mapBlob(BLOB);
        backend.resourceUnref(BLOB);
        try {
            backend.unmapBlob(BLOB);
            fail("unmapped a resource that is gone");
        } catch (GpuBackendException e) {
            assertEquals(CtrlType.RESP_ERR_INVALID_RESOURCE_ID, e.responseType());
        }
    }
}
