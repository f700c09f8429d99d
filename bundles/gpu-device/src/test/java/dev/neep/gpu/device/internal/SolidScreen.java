package dev.neep.gpu.device.internal;

import static dev.neep.gpu.protocol.CtrlType.RESP_OK_NODATA;
import static org.junit.Assert.assertEquals;

import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.Rect;
import dev.neep.testkit.Backing;
import dev.neep.testkit.GpuDriver;
import java.nio.ByteBuffer;
import java.util.Arrays;

/** A B8G8R8X8 resource with guest backing that a test draws in solid colours, each command answered OK. */
final class SolidScreen {
    final Rect all;
    private final GpuDriver driver;
    private final int resourceId;
    private final Backing backing;

    SolidScreen(GpuDriver driver, int resourceId, int width, int height) {
        this.driver = driver;
        this.resourceId = resourceId;
        this.all = new Rect(0, 0, width, height);
        assertEquals(RESP_OK_NODATA, driver.resourceCreate2d(resourceId, Formats.B8G8R8X8_UNORM, width, height).type());
        backing = driver.allocateBacking((long) width * height * 4);
        assertEquals(RESP_OK_NODATA, driver.attachBacking(resourceId, backing).type());
    }

    /** Shows the whole resource on {@code scanout}. */
    void show(int scanout) {
        assertEquals(RESP_OK_NODATA, driver.setScanout(scanout, resourceId, all).type());
    }

    /** Fills the guest backing with {@code argb}; the resource sees it at the next transfer. */
    void fill(int argb) {
        int[] px = new int[all.width() * all.height()];
        Arrays.fill(px, argb);
        ByteBuffer bytes = ByteBuffer.allocate(px.length * 4);
        Formats.fromArgb(Formats.B8G8R8X8_UNORM, px, 0, bytes, 0, px.length);
        backing.write(0, bytes);
    }

    /** Transfers {@code r} of the backing to the resource. */
    void transfer(Rect r) {
        long offset = ((long) r.y() * all.width() + r.x()) * 4;
        assertEquals(RESP_OK_NODATA, driver.transferToHost2d(resourceId, r, offset).type());
    }

    /** Fills {@code r} of the resource with {@code argb}: transferred and flushed. */
    void draw(Rect r, int argb) {
        fill(argb);
        transfer(r);
        assertEquals(RESP_OK_NODATA, driver.resourceFlush(resourceId, r).type());
    }
}
