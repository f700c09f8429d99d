package dev.neep.display.support;

import static org.junit.Assert.assertEquals;

import dev.neep.gpu.api.Frame;
import dev.neep.gpu.api.Pixels;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.Rect;
import dev.neep.testkit.TornPixels;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import org.junit.Test;

public class PictureTest {
    private static final int W = 4;
    private static final int H = 3;

    @Test
    public void laterUpdatesTakeOnlyTheDirtyRectangle() {
        Picture p = new Picture();
        p.update(uniform(Formats.B8G8R8X8_UNORM, W, H, 0xff000001), new Rect(2, 2, 1, 1));
        // The frame outside the dirty rectangle is stale on purpose: it must not be taken.
        p.update(uniform(Formats.B8G8R8X8_UNORM, W, H, 0xff000002), new Rect(1, 1, 2, 5));
        BufferedImage image = p.toImage();
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                boolean dirty = x >= 1 && x < 3 && y >= 1;
                assertEquals("(" + x + "," + y + ")", dirty ? 0xff000002 : 0xff000001, image.getRGB(x, y));
            }
        }
    }

    @Test
    public void aNewSizeOrAlphaTakesTheWholeFrame() {
        Picture p = new Picture();
        p.update(uniform(Formats.B8G8R8X8_UNORM, W, H, 0xff000001), new Rect(0, 0, 1, 1));
        assertEquals("the first frame is taken whole", 0xff000001, p.toImage().getRGB(W - 1, H - 1));
        p.update(uniform(Formats.B8G8R8X8_UNORM, W + 1, H, 0xff000002), new Rect(0, 0, 1, 1));
        assertEquals(W + 1, p.width());
        assertEquals(0xff000002, p.toImage().getRGB(W, H - 1));
        p.update(uniform(Formats.B8G8R8A8_UNORM, W + 1, H, 0x80000003), new Rect(0, 0, 1, 1));
        assertEquals(0x80000003, p.toImage().getRGB(W, H - 1));
    }

    @Test
    public void xFormatsMakeOpaqueImagesAndAFormatsKeepTheirAlpha() {
        Picture p = new Picture();
        p.update(uniform(Formats.R8G8B8A8_UNORM, W, H, 0x40123456), new Rect(0, 0, W, H));
        BufferedImage image = p.toImage();
        assertEquals(BufferedImage.TYPE_INT_ARGB, image.getType());
        assertEquals(0x40123456, image.getRGB(1, 1));
        p.update(uniform(Formats.X8R8G8B8_UNORM, W, H, 0x40123456), new Rect(0, 0, W, H));
        image = p.toImage();
        assertEquals(BufferedImage.TYPE_INT_RGB, image.getType());
        assertEquals(0xff123456, image.getRGB(1, 1));
    }

    @Test
    public void aCopyStaysAsItWasWhenTheOriginalChanges() {
        Picture p = new Picture();
        p.update(uniform(Formats.B8G8R8A8_UNORM, W, H, 0xff0000aa), new Rect(0, 0, W, H));
        Picture copy = new Picture();
        copy.copyOf(p);
        p.update(uniform(Formats.B8G8R8A8_UNORM, W, H, 0xff0000bb), new Rect(0, 0, W, H));
        assertEquals(W, copy.width());
        assertEquals(H, copy.height());
        assertEquals(0xff0000aa, copy.toImage().getRGB(0, 0));
        assertEquals(0xff0000bb, p.toImage().getRGB(0, 0));
    }

    @Test
    public void aReadThatIsNotWholeIsSaidAndTheNextUpdateReadsTheWholePicture() {
        Picture p = new Picture();
        Pixels first = uniform(Formats.B8G8R8X8_UNORM, W, H, 0xff000001);
        Pixels torn = new TornPixels(first);
        assertEquals(false, p.update(torn, new Rect(0, 0, 1, 1)));
        assertEquals(true, p.update(uniform(Formats.B8G8R8X8_UNORM, W, H, 0xff000002), new Rect(0, 0, 1, 1)));
        assertEquals("read whole after a torn first read", 0xff000002, p.toImage().getRGB(W - 1, H - 1));
    }

    /** A {@code w} x {@code h} picture of one colour, rows packed. */
    static Pixels uniform(int format, int w, int h, int argb) {
        int[] row = new int[w];
        java.util.Arrays.fill(row, argb);
        ByteBuffer buf = ByteBuffer.allocate(w * h * 4);
        for (int y = 0; y < h; y++) {
            Formats.fromArgb(format, row, 0, buf, y * w * 4, w);
        }
        return Pixels.of(new Frame(format, w, h, w * 4, buf.asReadOnlyBuffer()));
    }
}
