package dev.neep.vhostuser.gpu.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import dev.neep.backend.virgl.internal.VirglBackendProvider;
import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.device.DeviceConfig;
import dev.neep.gpu.device.VirtioGpu;
import dev.neep.gpu.protocol.Box;
import dev.neep.gpu.protocol.CtrlHdr;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.GpuFeatures;
import dev.neep.gpu.protocol.Rect;
import dev.neep.gpu.protocol.ResourceCreate3d;
import dev.neep.gpu.protocol.TransferHost3d;
import dev.neep.testkit.Backing;
import dev.neep.testkit.GpuDriver;
import dev.neep.testkit.TestPattern;
import dev.neep.virgl.stream.VirglCommandStream;
import dev.neep.vhostuser.frontend.FrontEnd;
import dev.neep.vhostuser.sys.Posix;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.Optional;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A scanout whose resource is a virgl 3D resource, as Mesa's virgl driver in a Linux guest
 * shows what it rendered: the device reads the pixels back from the renderer and the display
 * channel sends them as ordinary UPDATE messages, so QEMU's display needs no dmabuf. First
 * a picture the renderer drew (a clear), then one the guest wrote with TRANSFER_TO_HOST_3D,
 * which must arrive the right way up. Skipped with the reason where Debian's libvirglrenderer
 * or native access is missing.
 */
public class VirglScanoutOverVhostUserTest {

    private static final int W = 96;
    private static final int H = 64;
    private static final int STRIDE = W * 4;
    private static final long RAM = 8 << 20;
    private static final int PIPE_TEXTURE_2D = 2;
    private static final int BIND_RENDER_TARGET = 1 << 1;
    private static final int BIND_SAMPLER_VIEW = 1 << 3;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void renderedAndTransferredPixelsOfA3dResourceReachTheFrontEndDisplay() throws Exception {
        assumeTrue("native access: " + Posix.unavailableReason(), Posix.unavailableReason() == null);
        VirtioGpu device = VirtioGpu.create(new DeviceConfig(1, W, H, false, DeviceConfig.DEFAULT_MAX_HOSTMEM));
        ServedGpu served = null;
        try {
            try {
                device.useProvider(VirglBackendProvider.configured(Map.of()));
            } catch (GpuBackendException e) {
                String message = String.valueOf(e.getMessage());
                assumeTrue(message, !message.contains("not available"));
                throw e;
            }
            served = ServedGpu.serve(tmp.getRoot().toPath(), device);
            try (RemoteGpu gpu = new RemoteGpu(new FrontEnd(served.socket, RAM), W, H)) {
                show3dResource(gpu);
            }
        } finally {
            ServedGpu.close(served, device);
        }
    }

    private static void show3dResource(RemoteGpu gpu) throws Exception {
        GpuDriver driver = gpu.startDriver(GpuFeatures.mask(GpuFeatures.VIRGL) | GpuFeatures.mask(GpuFeatures.EDID));
        assertTrue("VIRTIO_GPU_F_VIRGL offered over vhost-user", driver.hasGpuFeature(GpuFeatures.VIRGL));
        int ctx = driver.newContextId();
        int res = driver.newResourceId();
        ok(driver.ctxCreate(ctx, 0, "scanout"));
        ok(driver.command(new ResourceCreate3d(driver.header(CtrlType.CMD_RESOURCE_CREATE_3D, 0), res,
                PIPE_TEXTURE_2D, Formats.B8G8R8X8_UNORM, BIND_RENDER_TARGET | BIND_SAMPLER_VIEW, W, H, 1, 1, 0, 0,
                0)));
        Backing backing = driver.allocateBacking((long) STRIDE * H);
        ok(driver.attachBacking(res, backing));
        ok(driver.ctxAttachResource(ctx, res));
        ok(driver.submit3d(ctx, new VirglCommandStream().createSurface(1, res, Formats.B8G8R8X8_UNORM)
                .setFramebufferState(0, 1).clearColor(1f, 0.6f, 0f, 1f).toByteBuffer()));
        ok(driver.setScanout(0, res, new Rect(0, 0, W, H)));
        ok(driver.resourceFlush(res, new Rect(0, 0, W, H)));
        gpu.display.awaitScreen(W, H, "the clear colour ff9900", screen -> {
            for (int i = 0; i < screen.length; i++) {
                if ((screen[i] & 0xffffff) != 0xff9900) {
                    return Optional.of("pixel " + i + " is " + Integer.toHexString(screen[i] & 0xffffff));
                }
            }
            return Optional.empty();
        });

        ByteBuffer pattern = ByteBuffer.allocate(STRIDE * H).order(ByteOrder.LITTLE_ENDIAN);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                pattern.putInt(TestPattern.xrgb(x, y, W, H)); // B, G, R, X: B8G8R8X8
            }
        }
        backing.write(0, pattern.flip());
        ok(driver.command(new TransferHost3d(driver.header(CtrlType.CMD_TRANSFER_TO_HOST_3D, ctx),
                new Box(0, 0, 0, W, H, 1), 0, res, 0, STRIDE, 0)));
        ok(driver.resourceFlush(res, new Rect(0, 0, W, H)));
        gpu.display.awaitPattern(W, H);
    }

    private static void ok(CtrlHdr reply) {
        assertEquals(CtrlType.name(CtrlType.RESP_OK_NODATA), CtrlType.name(reply.type()));
    }
}
