package dev.neep.backend.virgl.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.neep.backend.support.LoadedLibrary;
import dev.neep.gpu.api.CapsetInfo;
import dev.neep.gpu.api.Create3dArgs;
import dev.neep.gpu.api.Fence;
import dev.neep.gpu.api.Frame;
import dev.neep.gpu.api.HeldFrame;
import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.api.Transfer;
import dev.neep.gpu.protocol.CapsetIds;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.Formats;
import dev.neep.virgl.stream.VirglCommandStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Drives the real libvirglrenderer (Mesa llvmpipe through EGL surfaceless). Skipped, with the
 * reason, where the library cannot be loaded.
 */
public class VirglBackendTest {

    private static final List<Integer> VIRGL_BOTH = VirglSettings.OFFERED;
    private static final List<Integer> NONE = List.of();
    private static final int BIND_RENDER_TARGET = 1 << 1;
    private static final int BIND_SAMPLER_VIEW = 1 << 3;
    private static final int WIDTH = 64;
    private static final int HEIGHT = 64;
    private static final int STRIDE = WIDTH * 4;

    private final List<Fence> signalled = Collections.synchronizedList(new ArrayList<>());
    private VirglBackend backend;

    private static VirglRenderer library;

    @BeforeClass
    public static void libraryLoads() throws GpuBackendException {
        LoadedLibrary<VirglRenderer> loaded = VirglNative.find("");
        Assume.assumeTrue(loaded.unavailableReason(), loaded.available());
        library = loaded.require();
    }

    private static VirglSettings settings(List<Integer> capsets) {
        return new VirglSettings(capsets, false, "");
    }

    @After
    public void closeBackend() {
        if (backend != null) {
            backend.close();
        }
    }

    private VirglBackend open(List<Integer> capsets) throws GpuBackendException {
        backend = VirglBackend.open(library, settings(capsets), signalled::add);
        return backend;
    }

    @Test
    public void initOffersVirglAndVirgl2WithTheLibrarysCaps() throws Exception {
        open(VIRGL_BOTH);
        assertEquals(List.of(new CapsetInfo(CapsetIds.VIRGL, 1, 308), new CapsetInfo(CapsetIds.VIRGL2, 2, 1376)),
                backend.capsets());
        assertTrue(backend.capabilities().virgl3d());
        assertTrue(backend.capabilities().contextInit());
        assertTrue(backend.capabilities().blob());
        assertTrue(backend.capabilities().hostVisibleBlobs());
        assertFalse("the renderer exports no file descriptor of a blob", backend.capabilities().blobHandles());
        byte[] virgl = backend.capset(CapsetIds.VIRGL, 1);
        byte[] virgl2 = backend.capset(CapsetIds.VIRGL2, 2);
        assertEquals(308, virgl.length);
        assertEquals(1376, virgl2.length);
        // union virgl_caps starts with max_version
        assertEquals(1, ByteBuffer.wrap(virgl).order(ByteOrder.LITTLE_ENDIAN).getInt(0));
        assertEquals(2, ByteBuffer.wrap(virgl2).order(ByteOrder.LITTLE_ENDIAN).getInt(0));
    }

    @Test
    public void capsetVersionAboveMaxIsInvalidParameter() throws Exception {
        open(VIRGL_BOTH);
        assertError(CtrlType.RESP_ERR_INVALID_PARAMETER, () -> backend.capset(CapsetIds.VIRGL, 2));
    }

    @Test
    public void noCapsetsGivesTwoDimensionalOnly() throws Exception {
        open(NONE);
        assertTrue(backend.capsets().isEmpty());
        assertFalse(backend.capabilities().virgl3d());
        assertError(CtrlType.RESP_ERR_UNSPEC, () -> backend.contextCreate(1, CapsetIds.VIRGL2, "test"));
    }

    @Test
    public void headlessSettingsMakeAHeadlessBackend() throws Exception {
        assertFalse(open(VIRGL_BOTH).headless());
        backend.close();
        backend = VirglBackend.open(library, new VirglSettings(VIRGL_BOTH, true, ""), signalled::add);
        assertTrue(backend.headless());
    }

    @Test
    public void secondOpenWhileOneIsOpenIsRefused() throws Exception {
        open(VIRGL_BOTH);
        try {
            VirglBackend.open(library, settings(VIRGL_BOTH), f -> { }).close();
            fail("two renderers in one process");
        } catch (GpuBackendException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("one renderer per process"));
        }
    }

    @Test
    public void reopenAfterCloseRendersAgain() throws Exception {
        open(VIRGL_BOTH).close();
        open(VIRGL_BOTH);
        clearAndCheck(ByteBuffer.allocateDirect(WIDTH * HEIGHT * 4));
    }

    @Test
    public void clearRendersEveryPixelAndReadsBackIntoDirectBacking() throws Exception {
        open(VIRGL_BOTH);
        clearAndCheck(ByteBuffer.allocateDirect(WIDTH * HEIGHT * 4));
    }

    @Test
    public void heapBackingInSeveralPiecesIsBouncedBothWays() throws Exception {
        open(VIRGL_BOTH);
        // Pieces that split rows, as guest pages do.
        int size = WIDTH * HEIGHT * 4;
        clearAndCheck(ByteBuffer.allocate(1000), ByteBuffer.allocate(size - 1000 - 4096), ByteBuffer.allocate(4096));
    }

    @Test
    public void callsFromAnotherThreadRunOnTheOwnerThread() throws Exception {
        open(VIRGL_BOTH);
        CompletableFuture<Void> done = CompletableFuture.runAsync(() -> {
            try {
                clearAndCheck(ByteBuffer.allocateDirect(WIDTH * HEIGHT * 4));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        done.get(60, TimeUnit.SECONDS);
    }

    /** Renders a clear in context 1 to a 3D render target, reads it back both ways. */
    private void clearAndCheck(ByteBuffer... backing) throws Exception {
        int ctx = 1;
        int res = 7;
        backend.contextCreate(ctx, CapsetIds.VIRGL2, "clear test");
        backend.resourceCreate3d(res, new Create3dArgs(VirglRenderer.PIPE_TEXTURE_2D, Formats.B8G8R8X8_UNORM,
                BIND_RENDER_TARGET | BIND_SAMPLER_VIEW, WIDTH, HEIGHT, 1, 1, 0, 0, 0));
        backend.attachBacking(res, List.of(backing));
        backend.contextAttachResource(ctx, res);
        ByteBuffer commands = new VirglCommandStream()
                .createSurface(1, res, Formats.B8G8R8X8_UNORM)
                .setFramebufferState(0, 1)
                .clearColor(0.2f, 0.4f, 0.6f, 1f)
                .toByteBuffer();
        backend.submitCommand(ctx, commands, new long[0]);
        backend.transferRead(ctx, res, new Transfer(0, 0, 0, WIDTH, HEIGHT, 1, 0, STRIDE, 0, 0));

        byte[] expected = {(byte) 0x99, 0x66, 0x33, (byte) 0xff}; // B, G, R, X of (0.2, 0.4, 0.6)
        byte[] guest = concat(backing);
        for (int i = 0; i < WIDTH * HEIGHT; i++) {
            for (int c = 0; c < 4; c++) {
                if (guest[i * 4 + c] != expected[c]) {
                    fail("guest pixel " + i + " byte " + c + " is " + (guest[i * 4 + c] & 0xff));
                }
            }
        }
        Frame frame = backend.frame(res);
        assertEquals(Formats.B8G8R8X8_UNORM, frame.format());
        assertEquals(WIDTH, frame.width());
        assertEquals(HEIGHT, frame.height());
        assertEquals(STRIDE, frame.stride());
        byte[] shown = new byte[STRIDE * HEIGHT];
        frame.pixels().duplicate().get(shown);
        assertArrayEquals(guest, shown);

        backend.contextDetachResource(ctx, res);
        backend.resourceUnref(res);
        backend.contextDestroy(ctx);
    }

    @Test
    public void twoDimensionalWriteThenFrameIsWhatWasWritten() throws Exception {
        open(NONE);
        int w = 37;
        int h = 19;
        int stride = w * 4;
        ByteBuffer guest = ByteBuffer.allocateDirect(stride * h);
        for (int i = 0; i < stride * h; i++) {
            guest.put(i, (byte) (i * 7 + i / stride));
        }
        backend.resourceCreate2d(3, Formats.B8G8R8A8_UNORM, w, h);
        backend.attachBacking(3, List.of(guest));
        backend.transferWrite(0, 3, Transfer.of2d(0, 0, w, h, 0));
        assertArrayEquals(bytes(guest), frameBytes(backend.frame(3)));

        // A partial update: only the rectangle changes, read from its offset in the backing.
        byte[] before = bytes(guest);
        for (int i = 0; i < stride * h; i++) {
            guest.put(i, (byte) ~guest.get(i));
        }
        int x = 5;
        int y = 3;
        int rw = 10;
        int rh = 4;
        backend.transferWrite(0, 3, Transfer.of2d(x, y, rw, rh, (long) y * stride + x * 4));
        byte[] expected = before.clone();
        for (int row = y; row < y + rh; row++) {
            for (int b = x * 4; b < (x + rw) * 4; b++) {
                expected[row * stride + b] = guest.get(row * stride + b);
            }
        }
        assertArrayEquals(expected, frameBytes(backend.frame(3)));
    }

    @Test
    public void aHeldPictureStaysAsItWasWhileTheTextureIsReadBackAgain() throws Exception {
        open(NONE);
        int w = 16;
        int h = 8;
        ByteBuffer guest = ByteBuffer.allocateDirect(w * 4 * h);
        backend.resourceCreate2d(3, Formats.B8G8R8A8_UNORM, w, h);
        backend.attachBacking(3, List.of(guest));
        fill(guest, (byte) 0x11);
        backend.transferWrite(0, 3, Transfer.of2d(0, 0, w, h, 0));
        HeldFrame first = backend.hold(3);
        fill(guest, (byte) 0x22);
        backend.transferWrite(0, 3, Transfer.of2d(0, 0, w, h, 0));
        HeldFrame second = backend.hold(3);
        assertArrayEquals("the first picture as it was", filled(w * 4 * h, (byte) 0x11), frameBytes(first.frame()));
        assertArrayEquals(filled(w * 4 * h, (byte) 0x22), frameBytes(second.frame()));
        assertArrayEquals("now() is the newest read-back", filled(w * 4 * h, (byte) 0x22), frameBytes(first.now()));
        first.release();
        assertFalse("no hold once the last went", first.hold());
        second.release();
        backend.resourceUnref(3);
    }

    private static void fill(ByteBuffer b, byte value) {
        for (int i = 0; i < b.capacity(); i++) {
            b.put(i, value);
        }
    }

    private static byte[] filled(int length, byte value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, value);
        return bytes;
    }

    @Test
    public void twoDimensionalFormatOutsideTheEightIsInvalidParameter() throws Exception {
        open(NONE);
        assertError(CtrlType.RESP_ERR_INVALID_PARAMETER, () -> backend.resourceCreate2d(3, 99, 4, 4));
    }

    @Test
    public void resourceTheLibraryRefusesIsInvalidParameter() throws Exception {
        open(VIRGL_BOTH);
        assertError(CtrlType.RESP_ERR_INVALID_PARAMETER, () -> backend.resourceCreate3d(4,
                new Create3dArgs(VirglRenderer.PIPE_TEXTURE_2D, 0xfff, BIND_RENDER_TARGET, 8, 8, 1, 1, 0, 0, 0)));
    }

    @Test
    public void unknownResourceIsInvalidResourceId() throws Exception {
        open(NONE);
        assertError(CtrlType.RESP_ERR_INVALID_RESOURCE_ID, () -> backend.transferWrite(0, 99, Transfer.of2d(0, 0, 1, 1, 0)));
        assertError(CtrlType.RESP_ERR_INVALID_RESOURCE_ID, () -> backend.frame(99));
    }

    @Test
    public void transferWithoutBackingIsUnspec() throws Exception {
        open(NONE);
        backend.resourceCreate2d(3, Formats.B8G8R8A8_UNORM, 4, 4);
        assertError(CtrlType.RESP_ERR_UNSPEC, () -> backend.transferWrite(0, 3, Transfer.of2d(0, 0, 4, 4, 0)));
    }

    @Test
    public void commandStreamOfPartialDwordsIsInvalidParameter() throws Exception {
        open(VIRGL_BOTH);
        backend.contextCreate(1, CapsetIds.VIRGL2, "");
        assertError(CtrlType.RESP_ERR_INVALID_PARAMETER,
                () -> backend.submitCommand(1, ByteBuffer.allocate(6), new long[0]));
    }

    @Test
    public void submitToUnknownContextIsInvalidContextId() throws Exception {
        open(VIRGL_BOTH);
        assertError(CtrlType.RESP_ERR_INVALID_CONTEXT_ID,
                () -> backend.submitCommand(5, new VirglCommandStream().put(0).toByteBuffer(), new long[0]));
    }

    @Test
    public void frameStraightAfterSubmitShowsTheClear() throws Exception {
        open(VIRGL_BOTH);
        backend.contextCreate(1, CapsetIds.VIRGL2, "frame");
        backend.resourceCreate3d(9, new Create3dArgs(VirglRenderer.PIPE_TEXTURE_2D, Formats.B8G8R8A8_UNORM,
                BIND_RENDER_TARGET | BIND_SAMPLER_VIEW, WIDTH, HEIGHT, 1, 1, 0, 0, 0));
        backend.contextAttachResource(1, 9);
        backend.submitCommand(1, new VirglCommandStream()
                .createSurface(1, 9, Formats.B8G8R8A8_UNORM)
                .setFramebufferState(0, 1)
                .clearColor(1f, 0f, 0f, 0.6f)
                .toByteBuffer(), new long[0]);
        byte[] pixels = frameBytes(backend.frame(9));
        for (int i = 0; i < WIDTH * HEIGHT; i++) {
            int b = pixels[i * 4] & 0xff;
            int g = pixels[i * 4 + 1] & 0xff;
            int r = pixels[i * 4 + 2] & 0xff;
            int a = pixels[i * 4 + 3] & 0xff;
            if (b != 0 || g != 0 || r != 0xff || a != 153) {
                fail("pixel " + i + " is B" + b + " G" + g + " R" + r + " A" + a);
            }
        }
    }

    @Test
    public void fencesAreReportedOnTheOwnerThread() throws Exception {
        List<String> threads = Collections.synchronizedList(new ArrayList<>());
        backend = VirglBackend.open(library, settings(VIRGL_BOTH), f -> {
            threads.add(Thread.currentThread().getName());
            signalled.add(f);
        });
        backend.contextCreate(1, CapsetIds.VIRGL2, "");
        backend.createFence(new Fence(Fence.FLAG_FENCE, 1, 1, 0));
        backend.createFence(new Fence(Fence.FLAG_FENCE | Fence.FLAG_INFO_RING_IDX, 2, 1, 0));
        awaitSignalled(2);
        assertEquals(List.of("neep-virgl-owner", "neep-virgl-owner"), threads);
    }

    @Test
    public void globalFencesSignalInOrderThroughPoll() throws Exception {
        open(VIRGL_BOTH);
        backend.contextCreate(1, CapsetIds.VIRGL2, "fences");
        List<Fence> fences = new ArrayList<>();
        for (long id = 1; id <= 3; id++) {
            backend.submitCommand(1, new VirglCommandStream().put(0).toByteBuffer(), new long[0]);
            Fence fence = new Fence(Fence.FLAG_FENCE, id, 1, 0);
            fences.add(fence);
            backend.createFence(fence);
        }
        awaitSignalled(3);
        assertEquals(fences, signalled);
    }

    @Test
    public void ringFencesSignalInOrderThroughPoll() throws Exception {
        open(VIRGL_BOTH);
        backend.contextCreate(2, CapsetIds.VIRGL2, "ring fences");
        List<Fence> fences = new ArrayList<>();
        for (long id = 10; id < 14; id++) {
            Fence fence = new Fence(Fence.FLAG_FENCE | Fence.FLAG_INFO_RING_IDX, id, 2, 0);
            fences.add(fence);
            backend.createFence(fence);
        }
        awaitSignalled(4);
        assertEquals(fences, signalled);
    }

    @Test
    public void destroyingAContextReportsItsPendingFencesOnce() throws Exception {
        open(VIRGL_BOTH);
        backend.contextCreate(2, CapsetIds.VIRGL2, "doomed");
        Fence fence = new Fence(Fence.FLAG_FENCE | Fence.FLAG_INFO_RING_IDX, 42, 2, 0);
        backend.createFence(fence);
        backend.contextDestroy(2);
        for (int i = 0; i < 50; i++) {
            backend.poll();
            Thread.sleep(1);
        }
        assertEquals(List.of(fence), signalled);
    }

    @Test
    public void twoDimensionalFencesSignalThroughPoll() throws Exception {
        open(NONE);
        Fence fence = new Fence(Fence.FLAG_FENCE, 5, 0, 0);
        backend.createFence(fence);
        awaitSignalled(1);
        assertEquals(List.of(fence), signalled);
    }

    @Test
    public void callsAfterCloseFailAndPollIsQuiet() throws Exception {
        open(NONE);
        backend.close();
        backend.close();
        backend.poll();
        assertError(CtrlType.RESP_ERR_UNSPEC, () -> backend.resourceCreate2d(1, Formats.B8G8R8A8_UNORM, 4, 4));
    }

    private void awaitSignalled(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (signalled.size() < count) {
            if (System.nanoTime() > deadline) {
                fail("after 10 s only these fences signalled: " + signalled);
            }
            backend.poll();
            Thread.sleep(1);
        }
    }

    private static byte[] frameBytes(Frame frame) {
        byte[] out = new byte[frame.stride() * frame.height()];
        frame.pixels().duplicate().get(out);
        return out;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.capacity()];
        buffer.duplicate().clear().get(out);
        return out;
    }

    private static byte[] concat(ByteBuffer... buffers) {
        int size = 0;
        for (ByteBuffer b : buffers) {
            size += b.capacity();
        }
        ByteBuffer all = ByteBuffer.allocate(size);
        for (ByteBuffer b : buffers) {
            all.put(b.duplicate().clear());
        }
        return all.array();
    }

    private interface Call {
        void run() throws GpuBackendException;
    }

    private static void assertError(int responseType, Call call) {
        try {
            call.run();
            fail("no GpuBackendException");
        } catch (GpuBackendException e) {
            assertNotNull(e.getMessage());
            assertEquals(e.getMessage(), CtrlType.name(responseType), CtrlType.name(e.responseType()));
        }
    }
}
