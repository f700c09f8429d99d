package dev.neep.testkit;

import dev.neep.gpu.protocol.CtrlHdr;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.Rect;

import java.nio.ByteBuffer;
import java.util.function.IntFunction;

/**
 * The body of {@link GpuDriver#drawPattern} and {@link GpuDriver#drawImage}: a scenario made only of the driver's public
 * commands, kept out of {@link GpuDriver} so that class stays one method per command.
 */
final class ImageDrawer {

    private ImageDrawer() {
    }

    /**
     * What the Linux driver does to show a framebuffer, with {@code row.apply(y)} (ARGB) as
     * its row {@code y}.
     *
     * @throws GpuCommandException when a step is not answered RESP_OK_NODATA
     */
    static GpuDriver.PatternResource draw(GpuDriver driver, int scanoutId, int width, int height,
            IntFunction<int[]> row) {
        int format = Formats.B8G8R8X8_UNORM;
        int stride = Math.multiplyExact(width, Formats.bytesPerPixel(format));
        int id = driver.newResourceId();
        Rect all = new Rect(0, 0, width, height);
        requireOk("RESOURCE_CREATE_2D", driver.resourceCreate2d(id, format, width, height));
        Backing backing = driver.allocateBacking(Math.multiplyExact((long) stride, height));
        ByteBuffer bytes = ByteBuffer.allocate(stride);
        for (int y = 0; y < height; y++) {
            Formats.fromArgb(format, row.apply(y), 0, bytes, 0, width);
            backing.write((long) y * stride, bytes.clear());
        }
        requireOk("RESOURCE_ATTACH_BACKING", driver.attachBacking(id, backing));
        requireOk("SET_SCANOUT", driver.setScanout(scanoutId, id, all));
        requireOk("TRANSFER_TO_HOST_2D", driver.transferToHost2d(id, all, 0));
        requireOk("RESOURCE_FLUSH", driver.resourceFlush(id, all));
        return new GpuDriver.PatternResource(id, scanoutId, width, height, backing);
    }

    private static void requireOk(String what, CtrlHdr answer) {
        if (answer.type() != CtrlType.RESP_OK_NODATA) {
            throw new GpuCommandException(what, answer.type(), "answered " + CtrlType.name(answer.type()));
        }
    }
}
