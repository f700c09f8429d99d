package dev.neep.backend.rutabaga.internal;

import static org.junit.Assert.assertEquals;

import dev.neep.gpu.api.ScanoutId;
import dev.neep.gpu.protocol.Blobs;
import dev.neep.gpu.protocol.Box;
import dev.neep.gpu.protocol.CapsetIds;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.Rect;
import dev.neep.gpu.protocol.ResourceCreate3d;
import dev.neep.gpu.protocol.TransferHost3d;
import dev.neep.testkit.Backing;
import dev.neep.testkit.GpuDriver;
import dev.neep.testkit.TestPattern;
import java.time.Duration;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The console with cross-domain the only capset, against the real library: librutabaga_gfx_ffi
 * 0.1.2 then gives 2D resources no storage and answers their transfers OK, so the device must
 * serve them itself ({@link CrossDomainWith2d}) and refuse what would move nothing.
 */
public class CrossDomainConsoleLibraryTest {

    private InProcessGpu gpu;

    @Before
    public void start() throws Exception {
        // No compositor needed: the channel is only dialled by CROSS_DOMAIN_CMD_INIT.
        gpu = InProcessGpu.crossDomain("/nonexistent/wayland-0");
    }

    @After
    public void stop() {
        if (gpu != null) {
            gpu.close();
        }
    }

    @Test
    public void theConsoleIsPixelExact() throws Exception {
        assertEquals(CapsetIds.CROSS_DOMAIN, gpu.driver.getCapsetInfo(0).capsetId());

        gpu.driver.drawPattern(1024, 768);

        gpu.sink.awaitPattern(0, 1024, 768, Duration.ofSeconds(10));
    }

    @Test
    public void aChangedRegionIsShownToo() throws Exception {
        GpuDriver.PatternResource drawn = gpu.driver.drawPattern(64, 32);
        // Wipe the guest copy, send only the left half again: the right half keeps the pattern.
        drawn.backing().write(0, java.nio.ByteBuffer.allocate(64 * 32 * 4));
        assertEquals(CtrlType.RESP_OK_NODATA, gpu.driver.transferToHost2d(drawn.resourceId(),
                new Rect(0, 0, 32, 32), 0).type());
        assertEquals(CtrlType.RESP_OK_NODATA, gpu.driver.resourceFlush(drawn.resourceId(),
                new Rect(0, 0, 64, 32)).type());

        // The first flush showed the whole pattern; wait for the second one's frame.
        int[] frame = gpu.sink.awaitPicture(new ScanoutId(ScanoutId.DEFAULT_DEVICE, 0),
                p -> (p.argb()[0] & 0xffffff) == 0, "the second flush's picture", Duration.ofSeconds(10)).argb();
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 64; x++) {
                int expected = x < 32 ? 0 : TestPattern.xrgb(x, y, 64, 32) & 0xffffff;
                assertEquals("pixel " + x + "," + y, expected, frame[y * 64 + x] & 0xffffff);
            }
        }
    }

    @Test
    public void aTransferToACrossDomainBlobIsRefusedNotAnsweredOk() {
        int ctx = gpu.driver.newContextId();
        assertEquals(CtrlType.RESP_OK_NODATA, gpu.driver.ctxCreate(ctx, CapsetIds.CROSS_DOMAIN, "t").type());
        int blob = gpu.driver.newResourceId();
        Backing backing = gpu.driver.allocateBacking(4096);
        assertEquals(CtrlType.RESP_OK_NODATA, gpu.driver.createBlob(0, blob, Blobs.BLOB_MEM_GUEST,
                Blobs.BLOB_FLAG_USE_MAPPABLE, 0, 4096, backing).type());
        assertEquals(CtrlType.RESP_OK_NODATA, gpu.driver.ctxAttachResource(ctx, blob).type());

        int answer = gpu.driver.command(new TransferHost3d(gpu.driver.header(CtrlType.CMD_TRANSFER_TO_HOST_3D, ctx),
                new Box(0, 0, 0, 1024, 1, 1), 0, blob, 0, 0, 0)).type();

        assertEquals(CtrlType.RESP_ERR_INVALID_PARAMETER, answer);
        // And the device serves on.
        gpu.driver.drawPattern(16, 16);
    }

    @Test
    public void a3dResourceIsRefusedNotCreatedEmpty() {
        int id = gpu.driver.newResourceId();

        int answer = gpu.driver.command(new ResourceCreate3d(gpu.driver.header(CtrlType.CMD_RESOURCE_CREATE_3D, 0), id,
                2, Formats.B8G8R8X8_UNORM, 2, 64, 64, 1, 1, 0, 0, 0)).type();

        assertEquals(CtrlType.RESP_ERR_UNSPEC, answer);
        assertEquals(0, gpu.tracking.liveResources());
    }

    @Test
    public void anUnreferencedTwoDResourceIsGone() {
        GpuDriver.PatternResource drawn = gpu.driver.drawPattern(32, 32);
        assertEquals(1, gpu.tracking.liveResources());

        assertEquals(CtrlType.RESP_OK_NODATA, gpu.driver.resourceUnref(drawn.resourceId()).type());

        assertEquals(0, gpu.tracking.liveResources());
    }
}
