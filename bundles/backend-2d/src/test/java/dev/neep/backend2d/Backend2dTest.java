package dev.neep.backend2d;

import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_PARAMETER;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_RESOURCE_ID;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_OUT_OF_MEMORY;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_UNSPEC;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.neep.gpu.api.BackendCapabilities;
import dev.neep.gpu.api.Create3dArgs;
import dev.neep.gpu.api.CreateBlobArgs;
import dev.neep.gpu.api.Fence;
import dev.neep.gpu.api.Frame;
import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.api.Transfer;
import dev.neep.gpu.protocol.Blobs;
import dev.neep.gpu.protocol.Formats;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

public class Backend2dTest {

    private static final int[] ALL_FORMATS = {
        Formats.B8G8R8A8_UNORM, Formats.B8G8R8X8_UNORM, Formats.A8R8G8B8_UNORM, Formats.X8R8G8B8_UNORM,
        Formats.R8G8B8A8_UNORM, Formats.X8B8G8R8_UNORM, Formats.A8B8G8R8_UNORM, Formats.R8G8B8X8_UNORM,
    };
    private static final int W = 8;
    private static final int H = 4;
    private static final int STRIDE = W * 4;

    private final List<Fence> signalled = new ArrayList<>();
    private final List<Thread> signalledOn = new ArrayList<>();
    private Backend2d backend;

    @Before
    public void open() throws GpuBackendException {
        backend = Backend2d.open(fence -> {
            signalled.add(fence);
            signalledOn.add(Thread.currentThread());
        });
    }

    @After
    public void close() {
        backend.close();
    }

    @Test
    public void allEightFormatsCreate() throws GpuBackendException {
        int id = 1;
        for (int format : ALL_FORMATS) {
            backend.resourceCreate2d(id, format, 3, 2);
            Frame f = backend.frame(id);
            assertEquals(format, f.format());
            assertEquals(3, f.width());
            assertEquals(2, f.height());
            assertEquals(12, f.stride());
            assertTrue(f.pixels().isReadOnly());
            assertEquals(24, f.pixels().remaining());
            id++;
        }
    }

    @Test
    public void unknownFormatIsInvalidParameter() {
        expect(RESP_ERR_INVALID_PARAMETER, () -> backend.resourceCreate2d(1, 5, 4, 4));
    }

    @Test
    public void resourceTooLargeForOneBufferIsOutOfMemory() {
        expect(RESP_ERR_OUT_OF_MEMORY, () -> backend.resourceCreate2d(1, Formats.B8G8R8A8_UNORM, 65536, 65536));
        expect(RESP_ERR_OUT_OF_MEMORY,
                () -> backend.resourceCreate2d(1, Formats.B8G8R8A8_UNORM, Integer.MAX_VALUE, Integer.MAX_VALUE));
    }

    @Test
    public void existingResourceIdIsRefused() throws GpuBackendException {
        backend.resourceCreate2d(1, Formats.B8G8R8A8_UNORM, 2, 2);
        expect(RESP_ERR_INVALID_RESOURCE_ID, () -> backend.resourceCreate2d(1, Formats.B8G8R8A8_UNORM, 2, 2));
    }

    @Test
    public void transferHonoursOffsetAndStride() throws GpuBackendException {
        byte[] guest = pattern(STRIDE * H, 1);
        create(1, List.of(ByteBuffer.wrap(guest)));

        // As the Linux driver sends it: offset is where (x, y) sits in a backing of the resource's stride.
        backend.transferWrite(0, 1, Transfer.of2d(2, 1, 3, 2, 1 * STRIDE + 2 * 4));
        byte[] expected = new byte[STRIDE * H];
        copyBox(guest, 1 * STRIDE + 2 * 4, STRIDE, expected, 2, 1, 3, 2);
        assertArrayEquals(expected, host(1));

        // The offset is taken as given, not recomputed from x and y: row h comes from offset + h * stride.
        backend.resourceCreate2d(2, Formats.B8G8R8A8_UNORM, W, H);
        backend.attachBacking(2, List.of(ByteBuffer.wrap(guest)));
        backend.transferWrite(0, 2, Transfer.of2d(2, 1, 3, 2, 4));
        expected = new byte[STRIDE * H];
        copyBox(guest, 4, STRIDE, expected, 2, 1, 3, 2);
        assertArrayEquals(expected, host(2));
    }

    @Test
    public void transferAcrossIovecBoundaries() throws GpuBackendException {
        byte[] guest = pattern(STRIDE * H, 7);
        // Cuts inside pixels and inside rows, an empty iovec, a one-byte iovec; each iovec a window
        // of a larger buffer, so position and limit must be honoured.
        List<ByteBuffer> iovecs = split(guest, 5, 30, 0, 1, 37, 2);
        create(1, iovecs);
        backend.transferWrite(0, 1, Transfer.of2d(0, 0, W, H, 0));
        assertArrayEquals(guest, host(1));

        create(2, split(guest, 5, 30, 0, 1, 37, 2));
        backend.transferWrite(0, 2, Transfer.of2d(1, 1, 6, 3, STRIDE + 4));
        byte[] expected = new byte[STRIDE * H];
        copyBox(guest, STRIDE + 4, STRIDE, expected, 1, 1, 6, 3);
        assertArrayEquals(expected, host(2));
    }

    @Test
    public void partialRectangleTransfer() throws GpuBackendException {
        byte[] first = pattern(STRIDE * H, 3);
        ByteBuffer guest = ByteBuffer.wrap(first.clone());
        create(1, List.of(guest));
        backend.transferWrite(0, 1, Transfer.of2d(0, 0, W, H, 0));

        byte[] second = pattern(STRIDE * H, 99);
        guest.put(0, second);
        backend.transferWrite(0, 1, Transfer.of2d(5, 2, 2, 1, 2 * STRIDE + 5 * 4));

        byte[] expected = first.clone();
        copyBox(second, 2 * STRIDE + 5 * 4, STRIDE, expected, 5, 2, 2, 1);
        assertArrayEquals("only the rectangle changes", expected, host(1));
    }

    @Test
    public void fullWidthTransferIsOneCopy() throws GpuBackendException {
        // A full-width band is the byte range [offset, offset + h * stride) of the backing landing at
        // row y: the backing needs to reach no further, and rows outside the band stay as they were.
        byte[] guest = pattern(3 * STRIDE, 11);
        create(1, split(guest, 13, 50));
        backend.transferWrite(0, 1, Transfer.of2d(0, 1, W, 2, STRIDE));

        byte[] expected = new byte[STRIDE * H];
        System.arraycopy(guest, STRIDE, expected, STRIDE, 2 * STRIDE);
        assertArrayEquals(expected, host(1));

        // The same band row by row gives the same picture.
        create(2, split(guest, 13, 50));
        backend.transferWrite(0, 2, Transfer.of2d(0, 1, W, 1, STRIDE));
        backend.transferWrite(0, 2, Transfer.of2d(0, 2, W, 1, 2 * STRIDE));
        assertArrayEquals(host(1), host(2));

        expect(RESP_ERR_INVALID_PARAMETER, () -> backend.transferWrite(0, 1, Transfer.of2d(0, 1, W, 3, STRIDE)));
    }

    @Test
    public void transferBeyondBackingIsInvalidParameterAndCopiesNothing() throws GpuBackendException {
        byte[] guest = pattern(STRIDE * H - 1, 5);
        create(1, List.of(ByteBuffer.wrap(guest)));
        expect(RESP_ERR_INVALID_PARAMETER, () -> backend.transferWrite(0, 1, Transfer.of2d(0, 0, W, H, 0)));
        expect(RESP_ERR_INVALID_PARAMETER, () -> backend.transferWrite(0, 1, Transfer.of2d(0, 0, 1, 1, -1L)));
        expect(RESP_ERR_INVALID_PARAMETER,
                () -> backend.transferWrite(0, 1, Transfer.of2d(0, 0, 1, 1, Long.MAX_VALUE - 1)));
        assertArrayEquals(new byte[STRIDE * H], host(1));
    }

    @Test
    public void transferBoxOutsideResourceIsInvalidParameter() throws GpuBackendException {
        create(1, List.of(ByteBuffer.allocate(1 << 16)));
        expect(RESP_ERR_INVALID_PARAMETER, () -> backend.transferWrite(0, 1, Transfer.of2d(1, 0, W, 1, 0)));
        expect(RESP_ERR_INVALID_PARAMETER, () -> backend.transferWrite(0, 1, Transfer.of2d(0, 0, -1, 1, 0)));
        expect(RESP_ERR_INVALID_PARAMETER,
                () -> backend.transferWrite(0, 1, new Transfer(0, 0, 1, 1, 1, 1, 0, 0, 0, 0)));
    }

    @Test
    public void transferWithoutBackingIsUnspec() throws GpuBackendException {
        backend.resourceCreate2d(1, Formats.B8G8R8A8_UNORM, W, H);
        expect(RESP_ERR_UNSPEC, () -> backend.transferWrite(0, 1, Transfer.of2d(0, 0, W, H, 0)));
        expect(RESP_ERR_INVALID_RESOURCE_ID, () -> backend.transferWrite(0, 9, Transfer.of2d(0, 0, 1, 1, 0)));
    }

    @Test
    public void secondAttachIsUnspecAndDetachEndsTransfers() throws GpuBackendException {
        create(1, List.of(ByteBuffer.allocate(STRIDE * H)));
        expect(RESP_ERR_UNSPEC, () -> backend.attachBacking(1, List.of(ByteBuffer.allocate(STRIDE * H))));
        backend.detachBacking(1);
        expect(RESP_ERR_UNSPEC, () -> backend.transferWrite(0, 1, Transfer.of2d(0, 0, W, H, 0)));
        expect(RESP_ERR_INVALID_RESOURCE_ID, () -> backend.detachBacking(1));
    }

    @Test
    public void blobFrameOverScatteredIovecs() throws GpuBackendException {
        int stride = 40;
        byte[] guest = pattern(stride * H + 16, 21);
        createBlob(1, guest.length, split(guest, 33, 7, 64));
        Frame f = backend.blobFrame(1, Formats.R8G8B8A8_UNORM, W, H, stride, 16);
        assertEquals(Formats.R8G8B8A8_UNORM, f.format());
        assertEquals(W, f.width());
        assertEquals(H, f.height());
        assertEquals(stride, f.stride());
        assertTrue(f.pixels().isReadOnly());
        for (int y = 0; y < H; y++) {
            byte[] row = new byte[STRIDE];
            f.pixels().get(f.pixels().position() + y * stride, row);
            byte[] expected = new byte[STRIDE];
            System.arraycopy(guest, 16 + y * stride, expected, 0, STRIDE);
            assertArrayEquals("row " + y, expected, row);
        }
    }

    @Test
    public void blobFrameInOneIovecViewsGuestMemory() throws GpuBackendException {
        ByteBuffer guest = ByteBuffer.allocateDirect(STRIDE * H);
        createBlob(1, STRIDE * H, List.of(guest));
        Frame f = backend.blobFrame(1, Formats.B8G8R8X8_UNORM, W, H, STRIDE, 0);
        guest.put(STRIDE + 3, (byte) 0x5a);
        assertEquals("the frame reads guest memory itself", 0x5a, f.pixels().get(f.pixels().position() + STRIDE + 3));
        assertTrue(f.pixels().isReadOnly());
    }

    @Test
    public void blobFrameOutsideBlobIsInvalidParameter() throws GpuBackendException {
        createBlob(1, STRIDE * H, List.of(ByteBuffer.allocate(2 * STRIDE * H)));
        expect(RESP_ERR_INVALID_PARAMETER, () -> backend.blobFrame(1, Formats.B8G8R8A8_UNORM, W, H, STRIDE, 4));
        expect(RESP_ERR_INVALID_PARAMETER, () -> backend.blobFrame(1, Formats.B8G8R8A8_UNORM, W, H, STRIDE - 4, 0));
        expect(RESP_ERR_INVALID_PARAMETER, () -> backend.blobFrame(1, 7, W, H, STRIDE, 0));
        expect(RESP_ERR_INVALID_PARAMETER, () -> backend.blobFrame(1, Formats.B8G8R8A8_UNORM, W, H, STRIDE, -8));
        expect(RESP_ERR_INVALID_PARAMETER, () -> backend.frame(1));
        backend.resourceCreate2d(2, Formats.B8G8R8A8_UNORM, W, H);
        expect(RESP_ERR_INVALID_PARAMETER, () -> backend.blobFrame(2, Formats.B8G8R8A8_UNORM, W, H, STRIDE, 0));
    }

    @Test
    public void blobLargerThanItsBackingIsInvalidParameter() {
        expect(RESP_ERR_INVALID_PARAMETER,
                () -> backend.resourceCreateBlob(0, 1, guestBlob(4097), split(new byte[4096], 100)));
    }

    @Test
    public void transferToGuestBlobCopiesNothingAndSucceeds() throws GpuBackendException {
        createBlob(1, 64, List.of(ByteBuffer.allocate(64)));
        backend.transferWrite(0, 1, Transfer.of2d(0, 0, 4, 4, 0));
    }

    @Test
    public void threeDCommandsAnswerUnspec() throws GpuBackendException {
        BackendCapabilities caps = backend.capabilities();
        assertFalse(caps.virgl3d());
        assertTrue(caps.blob());
        assertFalse(caps.contextInit());
        assertFalse(caps.hostVisibleBlobs());
        assertTrue(backend.capsets().isEmpty());

        create(1, List.of(ByteBuffer.allocate(STRIDE * H)));
        expect(RESP_ERR_UNSPEC, () -> backend.capset(1, 1));
        expect(RESP_ERR_UNSPEC, () -> backend.resourceCreate3d(2, new Create3dArgs(2, 1, 2, 4, 4, 1, 1, 0, 0, 0)));
        expect(RESP_ERR_UNSPEC, () -> backend.contextCreate(1, 0, "ctx"));
        expect(RESP_ERR_UNSPEC, () -> backend.contextDestroy(1));
        expect(RESP_ERR_UNSPEC, () -> backend.contextAttachResource(1, 1));
        expect(RESP_ERR_UNSPEC, () -> backend.contextDetachResource(1, 1));
        expect(RESP_ERR_UNSPEC, () -> backend.submitCommand(1, ByteBuffer.allocate(8), new long[0]));
        expect(RESP_ERR_UNSPEC, () -> backend.transferWrite(1, 1, Transfer.of2d(0, 0, 1, 1, 0)));
        expect(RESP_ERR_UNSPEC, () -> backend.transferRead(1, 1, Transfer.of2d(0, 0, 1, 1, 0)));
        expect(RESP_ERR_UNSPEC, () -> backend.resourceCreateBlob(1, 3,
                new CreateBlobArgs(Blobs.BLOB_MEM_HOST3D, 1, 1, 4096), List.of()));
        expect(RESP_ERR_UNSPEC, () -> backend.mapBlob(1));
        expect(RESP_ERR_UNSPEC, () -> backend.unmapBlob(1));
    }

    @Test
    public void fenceSignalsSynchronously() throws GpuBackendException {
        Fence fence = new Fence(Fence.FLAG_FENCE, 42, 0, 0);
        backend.createFence(fence);
        assertEquals(List.of(fence), signalled);
        assertSame(Thread.currentThread(), signalledOn.get(0));
    }

    @Test
    public void unrefReleasesBacking() throws GpuBackendException, InterruptedException {
        byte[] memory = new byte[STRIDE * H];
        WeakReference<byte[]> ref = new WeakReference<>(memory);
        create(1, List.of(ByteBuffer.wrap(memory, 4, STRIDE * H - 4)));
        memory = null;
        assertNotNull("held while the resource lives", collectAndGet(ref, 3));

        backend.resourceUnref(1);
        assertNull("backing released by unref", collectAndGet(ref, 100));
        expect(RESP_ERR_INVALID_RESOURCE_ID, () -> backend.frame(1));
        expect(RESP_ERR_INVALID_RESOURCE_ID, () -> backend.resourceUnref(1));
    }

    @Test
    public void closedInstanceAnswersUnspec() {
        backend.close();
        expect(RESP_ERR_UNSPEC, () -> backend.resourceCreate2d(1, Formats.B8G8R8A8_UNORM, 1, 1));
        backend.close();
    }

    private void create(int id, List<ByteBuffer> iovecs) throws GpuBackendException {
        backend.resourceCreate2d(id, Formats.B8G8R8A8_UNORM, W, H);
        backend.attachBacking(id, iovecs);
    }

    private void createBlob(int id, long size, List<ByteBuffer> iovecs) throws GpuBackendException {
        backend.resourceCreateBlob(0, id, guestBlob(size), iovecs);
    }

    private static CreateBlobArgs guestBlob(long size) {
        return new CreateBlobArgs(Blobs.BLOB_MEM_GUEST, 0, 0, size);
    }

    private byte[] host(int id) throws GpuBackendException {
        Frame f = backend.frame(id);
        byte[] out = new byte[f.stride() * f.height()];
        f.pixels().get(f.pixels().position(), out);
        return out;
    }

    private static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    /** Windows of larger buffers, of the given lengths and then the rest. */
    private static List<ByteBuffer> split(byte[] data, int... lengths) {
        List<ByteBuffer> out = new ArrayList<>();
        int at = 0;
        for (int len : lengths) {
            out.add(window(data, at, len));
            at += len;
        }
        out.add(window(data, at, data.length - at));
        return out;
    }

    private static ByteBuffer window(byte[] data, int from, int len) {
        byte[] big = new byte[len + 6];
        System.arraycopy(data, from, big, 3, len);
        return ByteBuffer.wrap(big, 3, len);
    }

    private static void copyBox(byte[] src, int srcOffset, int srcStride, byte[] dst, int x, int y, int w, int h) {
        for (int row = 0; row < h; row++) {
            System.arraycopy(src, srcOffset + row * srcStride, dst, (y + row) * STRIDE + x * 4, w * 4);
        }
    }

    private static <T> T collectAndGet(WeakReference<T> ref, int attempts) throws InterruptedException {
        for (int i = 0; i < attempts && ref.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        return ref.get();
    }

    private interface Call {
        void run() throws GpuBackendException;
    }

    private static void expect(int responseType, Call call) {
        try {
            call.run();
        } catch (GpuBackendException e) {
            assertEquals(e.getMessage(), Integer.toHexString(responseType), Integer.toHexString(e.responseType()));
            return;
        }
        fail("expected response 0x" + Integer.toHexString(responseType));
    }
}
