package dev.neep.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

import dev.neep.gpu.api.GpuBackendProvider;
import dev.neep.gpu.device.GpuDeviceInfo;
import dev.neep.gpu.protocol.Box;
import dev.neep.gpu.protocol.CapsetIds;
import dev.neep.gpu.protocol.CtrlHdr;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.GetCapsetInfo;
import dev.neep.gpu.protocol.GpuFeatures;
import dev.neep.gpu.protocol.RespCapset;
import dev.neep.gpu.protocol.RespCapsetInfo;
import dev.neep.gpu.protocol.ResourceCreate3d;
import dev.neep.gpu.protocol.TransferHost3d;
import dev.neep.runtime.status.RuntimeReport.Status;
import dev.neep.testkit.Backing;
import dev.neep.testkit.GpuDriver;
import dev.neep.testkit.PendingCommand;
import dev.neep.virgl.stream.VirglCommandStream;
import dev.neep.virtio.GuestMemories;
import dev.neep.virtio.RegionGuestMemory;
import dev.neep.virtio.VirtioDevice;
import dev.neep.virtio.driver.DriverQueue;
import dev.neep.virtio.driver.GuestAllocator;

/**
 * The virgl backend in Felix, chosen by configuration ({@code backend=virgl}; no configuration
 * {@code dev.neep.backend.virgl}, so its defaults: virgl and virgl2), driven by the testkit as a
 * guest driver would: real virglrenderer rendering on Mesa (llvmpipe without a GPU), read back
 * and checked pixel by pixel. Skipped, with the reason, where libvirglrenderer is not installed.
 */
@RunWith(VirglPaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class VirglIT extends NeepTestSupport {

    private static final String VIRGL_BUNDLE = "dev.neep.backend-virgl";
    private static final long BASE = 0x100000;
    private static final int MEMORY = 8 << 20;
    private static final int W = 67;
    private static final int H = 41;
    private static final int STRIDE = W * 4;
    private static final int PIPE_TEXTURE_2D = 2;
    private static final int BIND_RENDER_TARGET = 1 << 1;
    private static final int BIND_SAMPLER_VIEW = 1 << 3;

    private GpuDriver driver;
    private GpuDeviceInfo info;

    /**
     * Fails, saying why, when the backend bundle does not load libvirglrenderer although it is
     * installed ({@link VirglPaxExam} skips the tests where it is not). The bundle's (internal)
     * loader is asked by reflection, where the tests configure no library_path: the provider's
     * absence alone could not tell "never" from "not yet".
     */
    static void requireVirglLoaded(Bundle virglBundle) {
        try {
            Class<?> nativeLib = virglBundle.loadClass("dev.neep.backend.virgl.internal.VirglNative");
            Method find = nativeLib.getDeclaredMethod("find", String.class);
            find.setAccessible(true);
            Object loaded = find.invoke(null, "");
            Object available = loaded.getClass().getMethod("available").invoke(loaded);
            Object reason = loaded.getClass().getMethod("unavailableReason").invoke(loaded);
            assertTrue("libvirglrenderer is installed, but the virgl backend " + reason, (Boolean) available);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("cannot ask the virgl backend bundle whether its library loaded", e);
        }
    }

    static Bundle bundle(org.osgi.framework.BundleContext context, String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("no bundle " + symbolicName);
    }

    @Before
    public void deviceOnTheVirglBackend() throws Exception {
        requireVirglLoaded(bundle(context, VIRGL_BUNDLE));
        awaitService(GpuBackendProvider.class, "(neep.backend=virgl)");
        configure(DEVICE_PID, Map.of("backend", "virgl"));
        awaitConfigured(DEVICE_COMPONENT, Map.of("backend.target", "(neep.backend=virgl)"));
        awaitComponent(DEVICE_COMPONENT, Status.ACTIVE);
        info = awaitService(GpuDeviceInfo.class, null);
        await("the virgl backend open", () -> Optional.of(info.backendKind()).filter("virgl"::equals));
        VirtioDevice device = awaitService(VirtioDevice.class, DEVICE_FILTER);
        // direct memory: what a vhost-user transport maps, and what the backend passes by address
        RegionGuestMemory memory = GuestMemories.direct(BASE, MEMORY);
        driver = GpuDriver.start(device, memory, new GuestAllocator(BASE, MEMORY), GpuDriver.Options.defaults());
    }

    @After
    public void resetTheDevice() {
        if (driver != null) {
            driver.close();
        }
    }

    @Test
    public void capsetsAreTheLibrarysVirglAndVirgl2() {
        assertTrue(driver.hasGpuFeature(GpuFeatures.VIRGL));
        assertTrue(driver.hasGpuFeature(GpuFeatures.CONTEXT_INIT));
        assertEquals(2, driver.config().numCapsets());
        RespCapsetInfo virgl = driver.getCapsetInfo(0);
        RespCapsetInfo virgl2 = driver.getCapsetInfo(1);
        assertEquals(List.of(CapsetIds.VIRGL, 1, 308), List.of(virgl.capsetId(), virgl.capsetMaxVersion(),
                virgl.capsetMaxSize()));
        assertEquals(List.of(CapsetIds.VIRGL2, 2, 1376), List.of(virgl2.capsetId(), virgl2.capsetMaxVersion(),
                virgl2.capsetMaxSize()));
        for (RespCapsetInfo c : List.of(virgl, virgl2)) {
            RespCapset caps = driver.getCapset(c.capsetId(), c.capsetMaxVersion(), c.capsetMaxSize());
            assertEquals(c.capsetMaxSize(), caps.capsetData().length);
            // struct virgl_caps_v1/v2 start with max_version; the rest is what the renderer filled in
            ByteBuffer data = ByteBuffer.wrap(caps.capsetData()).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(CapsetIds.name(c.capsetId()) + " max_version", c.capsetMaxVersion(), data.getInt(0));
            assertTrue(CapsetIds.name(c.capsetId()) + " caps are all zero past max_version",
                    nonZeroBytes(caps.capsetData()) > 4);
        }
        assertEquals(CtrlType.RESP_ERR_INVALID_PARAMETER, driver.submit(new GetCapsetInfo(
                driver.header(CtrlType.CMD_GET_CAPSET_INFO, 0), 2)).await().hdr().type());
    }

    @Test
    public void clearsRenderEveryPixelAndReadBackWithTransferFromHost3d() {
        int ctx = driver.newContextId();
        int res = driver.newResourceId();
        ok(driver.ctxCreate(ctx, 0, "VirglIT"));
        ok(driver.command(new ResourceCreate3d(driver.header(CtrlType.CMD_RESOURCE_CREATE_3D, 0), res,
                PIPE_TEXTURE_2D, Formats.B8G8R8X8_UNORM, BIND_RENDER_TARGET | BIND_SAMPLER_VIEW, W, H, 1, 1, 0, 0, 0)));
        Backing backing = driver.allocateBacking((long) STRIDE * H);
        ok(driver.attachBacking(res, backing));
        ok(driver.ctxAttachResource(ctx, res));
        assertEquals(1, info.contextCount());
        assertEquals(1, info.resourceCount());

        // two colours, so that a pixel right by accident, or left from the first, cannot pass
        float[][] colours = {{0.2f, 0.4f, 0.6f}, {1f, 0.6f, 0f}};
        int handle = 1;
        for (float[] rgb : colours) {
            ByteBuffer stream = new VirglCommandStream()
                    .createSurface(handle, res, Formats.B8G8R8X8_UNORM)
                    .setFramebufferState(0, handle)
                    .clearColor(rgb[0], rgb[1], rgb[2], 1f)
                    .destroyObject(VirglCommandStream.OBJECT_SURFACE, handle)
                    .toByteBuffer();
            handle++;
            PendingCommand submit = driver.submit3dFenced(ctx, -1, stream);
            ok(submit.await().hdr());
            ok(driver.command(new TransferHost3d(driver.header(CtrlType.CMD_TRANSFER_FROM_HOST_3D, ctx),
                    new Box(0, 0, 0, W, H, 1), 0, res, 0, STRIDE, 0)));
            byte[] expected = {unorm(rgb[2]), unorm(rgb[1]), unorm(rgb[0]), (byte) 0xff}; // B, G, R, X
            ByteBuffer pixels = ByteBuffer.allocate(STRIDE * H);
            backing.read(0, pixels);
            checkEveryPixel(pixels.array(), expected);
        }

        ok(driver.ctxDetachResource(ctx, res));
        ok(driver.resourceUnref(res));
        ok(driver.ctxDestroy(ctx));
        assertEquals(0, info.resourceCount());
        assertEquals(0, info.contextCount());
    }

    @Test
    public void fencesSignalInOrderOnEachTimeline() {
        int ctx = driver.newContextId();
        int res = driver.newResourceId();
        ok(driver.ctxCreate(ctx, CapsetIds.VIRGL2, "VirglIT fences"));
        ok(driver.command(new ResourceCreate3d(driver.header(CtrlType.CMD_RESOURCE_CREATE_3D, 0), res,
                PIPE_TEXTURE_2D, Formats.B8G8R8X8_UNORM, BIND_RENDER_TARGET, 256, 256, 1, 1, 0, 0, 0)));
        ok(driver.ctxAttachResource(ctx, res));
        ok(driver.submit3d(ctx, new VirglCommandStream().createSurface(1, res, Formats.B8G8R8X8_UNORM)
                .setFramebufferState(0, 1).toByteBuffer()));

        DriverQueue control = driver.queue(GpuDriver.CONTROL_QUEUE);
        int firstUsed = control.usedIndex();
        List<PendingCommand> global = new ArrayList<>();
        List<PendingCommand> ring = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            ByteBuffer clear = new VirglCommandStream().clearColor(i / 12f, 0f, 1f - i / 12f, 1f).toByteBuffer();
            // alternate the global timeline and ring 0 of the context (FLAG_INFO_RING_IDX)
            (i % 2 == 0 ? global : ring).add(driver.submit3dFenced(ctx, i % 2 == 0 ? -1 : 0, clear));
        }
        for (PendingCommand c : global) {
            ok(c.await().hdr());
        }
        for (PendingCommand c : ring) {
            ok(c.await().hdr());
        }
        assertEquals(global.get(global.size() - 1).request().hdr().fenceId(), driver.signalledFence());
        assertEquals(ring.get(ring.size() - 1).request().hdr().fenceId(), driver.signalledFence(ctx, 0));

        // the used ring, as the device filled it: each timeline's chains in the order they were sent
        List<Integer> usedHeads = new ArrayList<>();
        for (int idx = firstUsed; idx != (control.usedIndex() & 0xffff); idx = (idx + 1) & 0xffff) {
            long element = control.usedRing() + 4 + 8L * (idx % control.size());
            usedHeads.add(driver.memory().readInt(element));
        }
        assertEquals(12, usedHeads.size());
        assertInOrder("global timeline", global, usedHeads);
        assertInOrder("ctx " + ctx + " ring 0", ring, usedHeads);

        ok(driver.ctxDestroy(ctx));
        ok(driver.resourceUnref(res));
        assertEquals(0, info.parkedFences());
    }

    private static void assertInOrder(String timeline, List<PendingCommand> sent, List<Integer> usedHeads) {
        int last = -1;
        for (PendingCommand c : sent) {
            int at = usedHeads.indexOf(c.head());
            assertNotEquals(timeline + ": " + c + " not in the used ring " + usedHeads, -1, at);
            assertTrue(timeline + ": fence " + c.request().hdr().fenceId() + " completed before an earlier one; used"
                    + " ring heads " + usedHeads, at > last);
            last = at;
        }
    }

    private static void checkEveryPixel(byte[] pixels, byte[] expected) {
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int at = y * STRIDE + x * 4;
                byte[] pixel = {pixels[at], pixels[at + 1], pixels[at + 2], pixels[at + 3]};
                if (!Arrays.equals(expected, pixel)) {
                    assertArrayEquals("pixel (" + x + ", " + y + ") of " + W + "x" + H, expected, pixel);
                }
            }
        }
    }

    /** A UNORM8 channel as the renderer rounds it. */
    private static byte unorm(float v) {
        return (byte) Math.round(v * 255f);
    }

    private static int nonZeroBytes(byte[] data) {
        int n = 0;
        for (byte b : data) {
            n += b != 0 ? 1 : 0;
        }
        return n;
    }

    private static void ok(CtrlHdr answer) {
        if (answer.type() != CtrlType.RESP_OK_NODATA) {
            fail("answered " + CtrlType.name(answer.type()));
        }
    }
}
