package dev.neep.backend.rutabaga.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.neep.config.support.TypedConfiguration;
import dev.neep.gpu.api.BackendCapabilities;
import dev.neep.gpu.api.CapsetInfo;
import dev.neep.gpu.api.CreateBlobArgs;
import dev.neep.gpu.api.Fence;
import dev.neep.gpu.api.Frame;
import dev.neep.gpu.api.GpuBackend;
import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.api.HeldFrame;
import dev.neep.gpu.api.Transfer;
import dev.neep.gpu.protocol.Blobs;
import dev.neep.gpu.protocol.CapsetIds;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.Formats;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Test;

/**
 * What the rutabaga backend must do over librutabaga_gfx_ffi, run against the real library
 * ({@link RutabagaBackendLibraryTest}, when {@code NEEP_RUTABAGA_LIBRARY} names one) and
 * against {@link RutabagaModel} ({@link RutabagaBackendModelTest}, always). Each subclass runs in
 * a JVM of its own: the library's debug callback is process-wide.
 */
public abstract class RutabagaBackendScenarios {

    static final long CROSS_DOMAIN = 1L << CapsetIds.CROSS_DOMAIN;
    static final int WIDTH = 8;
    static final int HEIGHT = 4;
    static final int STRIDE = WIDTH * 4;

    final LinkedBlockingQueue<Fence> signalled = new LinkedBlockingQueue<>();
    private final List<GpuBackend> opened = new ArrayList<>();

    abstract RutabagaGfxFfi library();

    @After
    public void closeBackends() {
        opened.forEach(GpuBackend::close);
    }

    /**
     * Opens with configuration {@code properties}, and the capsets of {@code mask} named in
     * {@code capset_names} unless the properties name some.
     */
    GpuBackend open(long mask, Map<String, String> properties, Map<String, String> environment)
            throws GpuBackendException {
        Map<String, String> all = new HashMap<>(properties);
        List<String> names = new ArrayList<>();
        for (int id = 0; id < Long.SIZE; id++) {
            if ((mask & (1L << id)) != 0) {
                names.add(CapsetIds.name(id));
            }
        }
        all.putIfAbsent("capset_names", String.join(":", names));
        GpuBackend backend = RutabagaBackend.open(library(), RutabagaSettings.from(
                TypedConfiguration.read(RutabagaBackendConfig.class, all), environment), signalled::add);
        opened.add(backend);
        return backend;
    }

    GpuBackend open(long mask) throws GpuBackendException {
        return open(mask, Map.of(), Map.of());
    }

    static ByteBuffer direct(int size, int seed) {
        ByteBuffer b = ByteBuffer.allocateDirect(size);
        for (int i = 0; i < size; i++) {
            b.put(i, (byte) (seed + i * 7));
        }
        return b;
    }

    static byte[] bytes(Frame frame) {
        ByteBuffer pixels = frame.pixels().duplicate();
        byte[] out = new byte[frame.height() * frame.width() * 4];
        for (int row = 0; row < frame.height(); row++) {
            pixels.get(row * frame.stride(), out, row * frame.width() * 4, frame.width() * 4);
        }
        return out;
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    List<Fence> awaitFences(int count) throws InterruptedException {
        List<Fence> got = new ArrayList<>();
        while (got.size() < count) {
            Fence f = signalled.poll(5, TimeUnit.SECONDS);
            if (f == null) {
                fail("only " + got + " of " + count + " fences were reported");
            }
            got.add(f);
        }
        return got;
    }

    static int responseOf(ThrowingCall call) {
        try {
            call.run();
        } catch (GpuBackendException e) {
            return e.responseType();
        }
        throw new AssertionError("the call succeeded");
    }

    @FunctionalInterface
    interface ThrowingCall {
        void run() throws GpuBackendException;
    }

    @Test
    public void twoDResourceRoundTripsFromBackingToFrame() throws Exception {
        GpuBackend backend = open(0);
        backend.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, WIDTH, HEIGHT);
        ByteBuffer backing = direct(STRIDE * HEIGHT, 3);
        backend.attachBacking(1, List.of(backing));
        backend.transferWrite(0, 1, Transfer.of2d(0, 0, WIDTH, HEIGHT, 0));
        Frame frame = backend.frame(1);
        assertEquals(Formats.B8G8R8X8_UNORM, frame.format());
        assertEquals(WIDTH, frame.width());
        assertEquals(HEIGHT, frame.height());
        assertArrayEquals(bytes(backing), bytes(frame));
        backend.detachBacking(1);
        backend.resourceUnref(1);
        assertEquals(CtrlType.RESP_ERR_INVALID_RESOURCE_ID, responseOf(() -> backend.frame(1)));
    }

    @Test
    public void aHeldPictureStaysAsItWasWhileTheResourceIsReadBackAgain() throws Exception {
        GpuBackend backend = open(0);
        backend.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, WIDTH, HEIGHT);
        ByteBuffer first = direct(STRIDE * HEIGHT, 3);
        backend.attachBacking(1, List.of(first));
        backend.transferWrite(0, 1, Transfer.of2d(0, 0, WIDTH, HEIGHT, 0));
        HeldFrame held = backend.hold(1);
        byte[] firstBytes = bytes(first);
        for (int i = 0; i < first.capacity(); i++) {
            first.put(i, (byte) ~first.get(i));
        }
        backend.transferWrite(0, 1, Transfer.of2d(0, 0, WIDTH, HEIGHT, 0));
        HeldFrame next = backend.hold(1);
        assertArrayEquals("the held picture as it was", firstBytes, bytes(held.frame()));
        assertArrayEquals(bytes(first), bytes(next.frame()));
        assertArrayEquals("now() is the newest read-back", bytes(first), bytes(held.now()));
        held.release();
        next.release();
        backend.detachBacking(1);
        backend.resourceUnref(1);
    }

    /** A Linux guest's TRANSFER_TO_HOST_2D offset is where the box starts in its linear image. */
    @Test
    public void twoDBoxIsReadFromTheGuestOffsetOfItsFirstPixel() throws Exception {
        GpuBackend backend = open(0);
        backend.resourceCreate2d(1, Formats.B8G8R8A8_UNORM, WIDTH, HEIGHT);
        ByteBuffer first = direct(STRIDE * HEIGHT, 1);
        ByteBuffer second = direct(STRIDE * HEIGHT, 100);
        // Two iovecs, split inside a row, to make the library walk the scatter list.
        ByteBuffer backing = ByteBuffer.allocateDirect(STRIDE * HEIGHT);
        ByteBuffer head = backing.duplicate().limit(STRIDE + 12).slice();
        ByteBuffer tail = backing.duplicate().position(STRIDE + 12).slice();
        backend.attachBacking(1, List.of(head, tail));
        backing.put(0, first, 0, STRIDE * HEIGHT);
        backend.transferWrite(0, 1, Transfer.of2d(0, 0, WIDTH, HEIGHT, 0));
        backing.put(0, second, 0, STRIDE * HEIGHT);
        int x = 2;
        int y = 1;
        int w = 3;
        int h = 2;
        backend.transferWrite(0, 1, Transfer.of2d(x, y, w, h, (long) y * STRIDE + x * 4));
        byte[] expected = bytes(first);
        byte[] changed = bytes(second);
        for (int row = y; row < y + h; row++) {
            System.arraycopy(changed, row * STRIDE + x * 4, expected, row * STRIDE + x * 4, w * 4);
        }
        assertArrayEquals(expected, bytes(backend.frame(1)));
    }

    /** 0.1.2 loses a resource's storage when a 2D transfer fails: such a transfer never reaches it. */
    @Test
    public void twoDTransferOutsideTheResourceIsRefusedAndTheResourceKeepsWorking() throws Exception {
        GpuBackend backend = open(0);
        backend.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, WIDTH, HEIGHT);
        ByteBuffer backing = direct(STRIDE * HEIGHT, 9);
        backend.attachBacking(1, List.of(backing));
        assertEquals(CtrlType.RESP_ERR_INVALID_PARAMETER,
                responseOf(() -> backend.transferWrite(0, 1, Transfer.of2d(WIDTH - 1, 0, 2, 1, 0))));
        assertEquals(CtrlType.RESP_ERR_INVALID_PARAMETER,
                responseOf(() -> backend.transferWrite(0, 1, Transfer.of2d(0, 0, WIDTH, HEIGHT, 4))));
        assertEquals(CtrlType.RESP_ERR_INVALID_PARAMETER,
                responseOf(() -> backend.transferWrite(0, 1, Transfer.of2d(1, 1, 1, 1, 0))));
        assertEquals(CtrlType.RESP_ERR_INVALID_PARAMETER,
                responseOf(() -> backend.transferWrite(0, 1, new Transfer(0, 0, 0, 1, 1, 1, 0, STRIDE + 4, 0, 0))));
        backend.transferWrite(0, 1, Transfer.of2d(0, 0, WIDTH, HEIGHT, 0));
        assertArrayEquals(bytes(backing), bytes(backend.frame(1)));
    }

    @Test
    public void twoDTransferWithoutBackingIsRefusedAndTheResourceKeepsWorking() throws Exception {
        GpuBackend backend = open(0);
        backend.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, WIDTH, HEIGHT);
        assertEquals(CtrlType.RESP_ERR_UNSPEC,
                responseOf(() -> backend.transferWrite(0, 1, Transfer.of2d(0, 0, WIDTH, HEIGHT, 0))));
        ByteBuffer backing = direct(STRIDE * HEIGHT, 5);
        backend.attachBacking(1, List.of(backing));
        backend.transferWrite(0, 1, Transfer.of2d(0, 0, WIDTH, HEIGHT, 0));
        assertArrayEquals(bytes(backing), bytes(backend.frame(1)));
        assertEquals(CtrlType.RESP_ERR_UNSPEC, responseOf(() -> backend.attachBacking(1, List.of(backing))));
    }

    @Test
    public void twoDComponentOffersNoCapsetsContextsOrBlobs() throws Exception {
        GpuBackend backend = open(0);
        assertEquals(List.of(), backend.capsets());
        assertEquals(new BackendCapabilities(false, false, false, false), backend.capabilities());
        assertEquals(CtrlType.RESP_ERR_UNSPEC, responseOf(() -> backend.contextCreate(1, 0, "ctx")));
        assertEquals(CtrlType.RESP_ERR_UNSPEC, responseOf(() -> backend.resourceCreateBlob(0, 2,
                new CreateBlobArgs(Blobs.BLOB_MEM_GUEST, 0, 0, 4096), List.of())));
        backend.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, WIDTH, HEIGHT);
        assertEquals(CtrlType.RESP_ERR_UNSPEC,
                responseOf(() -> backend.transferRead(0, 1, Transfer.of2d(0, 0, 1, 1, 0))));
    }

    @Test
    public void globalFencesAreReportedOnceEachInOrder() throws Exception {
        GpuBackend backend = open(0);
        for (long id = 1; id <= 3; id++) {
            backend.createFence(new Fence(Fence.FLAG_FENCE, id, 0, 0));
        }
        assertEquals(List.of(new Fence(Fence.FLAG_FENCE, 1, 0, 0), new Fence(Fence.FLAG_FENCE, 2, 0, 0),
                new Fence(Fence.FLAG_FENCE, 3, 0, 0)), awaitFences(3));
        assertEquals(null, signalled.poll(100, TimeUnit.MILLISECONDS));
    }

    @Test
    public void crossDomainOffersOneCapsetOfVersion0And16Bytes() throws Exception {
        GpuBackend backend = open(CROSS_DOMAIN);
        assertEquals(List.of(new CapsetInfo(CapsetIds.CROSS_DOMAIN, 0, 16)), backend.capsets());
        assertEquals(new BackendCapabilities(true, true, true, true, true), backend.capabilities());
        byte[] caps = backend.capset(CapsetIds.CROSS_DOMAIN, 0);
        assertEquals(16, caps.length);
        assertEquals("cross-domain capabilities start with version 1", 1, caps[0]);
        assertEquals(CtrlType.RESP_ERR_INVALID_PARAMETER, responseOf(() -> backend.capset(CapsetIds.VIRGL, 1)));
    }

    @Test
    public void capsetNamesAreResolvedByTheLibrary() throws Exception {
        GpuBackend byName = open(0, Map.of("capset_names", "cross-domain"), Map.of());
        assertEquals(List.of(new CapsetInfo(CapsetIds.CROSS_DOMAIN, 0, 16)), byName.capsets());
        GpuBackend byFlag = open(0, Map.of("cross-domain", "on"), Map.of());
        assertEquals(List.of(new CapsetInfo(CapsetIds.CROSS_DOMAIN, 0, 16)), byFlag.capsets());
    }

    @Test
    public void crossDomainContextIsCreatedAndDestroyed() throws Exception {
        GpuBackend backend = open(CROSS_DOMAIN);
        backend.contextCreate(1, CapsetIds.CROSS_DOMAIN, "wayland-proxy");
        assertEquals(CtrlType.RESP_ERR_INVALID_CONTEXT_ID,
                responseOf(() -> backend.contextCreate(1, CapsetIds.CROSS_DOMAIN, "again")));
        assertEquals(CtrlType.RESP_ERR_INVALID_PARAMETER,
                responseOf(() -> backend.contextCreate(2, CapsetIds.VENUS, "not offered")));
        backend.contextDestroy(1);
        assertEquals(CtrlType.RESP_ERR_INVALID_CONTEXT_ID, responseOf(() -> backend.contextDestroy(1)));
        backend.contextCreate(1, CapsetIds.CROSS_DOMAIN, "");
    }

    @Test
    public void fenceOnTheQueryRingIsReportedWithItsContextAndRing() throws Exception {
        GpuBackend backend = open(CROSS_DOMAIN);
        backend.contextCreate(3, CapsetIds.CROSS_DOMAIN, "ctx");
        Fence fence = new Fence(Fence.FLAG_FENCE | Fence.FLAG_INFO_RING_IDX, 40, 3, 0);
        backend.createFence(fence);
        assertEquals(List.of(fence), awaitFences(1));
        assertEquals(CtrlType.RESP_ERR_INVALID_CONTEXT_ID, responseOf(() -> backend.createFence(
                new Fence(Fence.FLAG_FENCE | Fence.FLAG_INFO_RING_IDX, 41, 4, 0))));
    }

    /** The channel ring before CROSS_DOMAIN_CMD_INIT drops fences; destroying the context reports them. */
    @Test
    public void fenceTheLibraryDroppedIsReportedWhenItsContextIsDestroyed() throws Exception {
        GpuBackend backend = open(CROSS_DOMAIN);
        backend.contextCreate(3, CapsetIds.CROSS_DOMAIN, "ctx");
        Fence channel = new Fence(Fence.FLAG_FENCE | Fence.FLAG_INFO_RING_IDX, 7, 3, 1);
        backend.createFence(channel);
        assertEquals(null, signalled.poll(100, TimeUnit.MILLISECONDS));
        backend.contextDestroy(3);
        assertEquals(List.of(channel), awaitFences(1));
    }

    @Test
    public void guestBlobIsCreatedShownFromItsBackingAndHasNoHostMapping() throws Exception {
        GpuBackend backend = open(CROSS_DOMAIN);
        ByteBuffer memory = direct(4096, 11);
        backend.resourceCreateBlob(0, 5, new CreateBlobArgs(Blobs.BLOB_MEM_GUEST,
                Blobs.BLOB_FLAG_USE_MAPPABLE, 0, 4096), List.of(memory));
        Frame frame = backend.blobFrame(5, Formats.B8G8R8X8_UNORM, 16, 4, 64, 128);
        byte[] expected = new byte[16 * 4 * 4];
        memory.duplicate().position(128).get(expected);
        assertArrayEquals(expected, bytes(frame));
        assertEquals(CtrlType.RESP_ERR_UNSPEC, responseOf(() -> backend.mapBlob(5)));
        assertEquals(CtrlType.RESP_ERR_UNSPEC, responseOf(() -> backend.unmapBlob(5)));
        assertEquals(CtrlType.RESP_ERR_INVALID_PARAMETER,
                responseOf(() -> backend.blobFrame(5, Formats.B8G8R8X8_UNORM, 16, 64, 64, 128)));
        backend.resourceUnref(5);
    }

    @Test
    public void unknownIdsAndHeapMemoryAreRefusedBeforeTheLibrarySeesThem() throws Exception {
        GpuBackend backend = open(CROSS_DOMAIN);
        assertEquals(CtrlType.RESP_ERR_INVALID_RESOURCE_ID, responseOf(() -> backend.resourceUnref(9)));
        assertEquals(CtrlType.RESP_ERR_INVALID_RESOURCE_ID, responseOf(() -> backend.attachBacking(9, List.of())));
        assertEquals(CtrlType.RESP_ERR_INVALID_CONTEXT_ID,
                responseOf(() -> backend.submitCommand(9, ByteBuffer.allocate(8), new long[0])));
        assertEquals(CtrlType.RESP_ERR_INVALID_CONTEXT_ID, responseOf(() -> backend.contextAttachResource(9, 1)));
        assertEquals(CtrlType.RESP_ERR_UNSPEC, responseOf(() -> backend.resourceCreateBlob(0, 6,
                new CreateBlobArgs(Blobs.BLOB_MEM_GUEST, 0, 0, 64), List.of(ByteBuffer.allocate(64)))));
        backend.resourceCreateBlob(0, 6, new CreateBlobArgs(Blobs.BLOB_MEM_GUEST, 0, 0, 64),
                List.of(ByteBuffer.allocateDirect(64)));
        assertEquals(CtrlType.RESP_ERR_INVALID_RESOURCE_ID, responseOf(() -> backend.resourceCreateBlob(0, 6,
                new CreateBlobArgs(Blobs.BLOB_MEM_GUEST, 0, 0, 64), List.of())));
    }

    @Test
    public void libraryErrorIsAnsweredWithItsReturnCode() throws Exception {
        GpuBackend backend = open(CROSS_DOMAIN);
        backend.contextCreate(1, CapsetIds.CROSS_DOMAIN, "ctx");
        try {
            // Well formed (so neep's own checks let it through), but the context has had no INIT.
            backend.submitCommand(1, imageRequirementsBeforeInit(), new long[0]);
            fail("GET_IMAGE_REQUIREMENTS before INIT was accepted");
        } catch (GpuBackendException e) {
            assertEquals(CtrlType.RESP_ERR_INVALID_PARAMETER, e.responseType());
            assertTrue(e.getMessage(), e.getMessage().contains("returned -22"));
        }
    }

    /** {@code CROSS_DOMAIN_CMD_GET_IMAGE_REQUIREMENTS} for 4x4 XR24: the library answers it only after an INIT. */
    static ByteBuffer imageRequirementsBeforeInit() {
        ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 2).put((byte) 0).putShort((short) 24).putInt(0).putInt(4).putInt(4).putInt(0x34325258).putInt(0);
        return b.flip();
    }

    /** A second instance's init must not hand the library another debug callback (that panics). */
    @Test
    public void instancesOpenSideBySideSharingTheDebugCallback() throws Exception {
        GpuBackend first = open(0);
        GpuBackend second = open(CROSS_DOMAIN);
        first.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, WIDTH, HEIGHT);
        assertEquals(1, second.capsets().size());
        first.close();
        GpuBackend third = open(0);
        third.createFence(new Fence(Fence.FLAG_FENCE, 1, 0, 0));
        assertEquals(1, awaitFences(1).size());
    }

    @Test
    public void closedBackendAnswersUnspecifiedAndClosesOnce() throws Exception {
        GpuBackend backend = open(0);
        backend.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, WIDTH, HEIGHT);
        backend.close();
        backend.close();
        assertEquals(CtrlType.RESP_ERR_UNSPEC, responseOf(() -> backend.frame(1)));
    }

    /** Every call goes to the instance's owner thread, whichever thread makes it. */
    @Test
    public void callsFromOtherThreadsAreCarriedOutOnTheOwnerThread() throws Exception {
        GpuBackend backend = open(0);
        List<Throwable> failures = new ArrayList<>();
        Thread other = new Thread(() -> {
            try {
                backend.resourceCreate2d(2, Formats.B8G8R8X8_UNORM, WIDTH, HEIGHT);
                backend.createFence(new Fence(Fence.FLAG_FENCE, 5, 0, 0));
            } catch (Throwable t) {
                failures.add(t);
            }
        });
        other.start();
        other.join();
        assertEquals(List.of(), failures);
        assertEquals(5, awaitFences(1).get(0).fenceId());
        backend.frame(2);
    }
}
