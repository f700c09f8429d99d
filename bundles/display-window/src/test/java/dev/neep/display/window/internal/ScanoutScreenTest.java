package dev.neep.display.window.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.neep.gpu.api.CursorImage;
import dev.neep.gpu.api.Frame;
import dev.neep.gpu.api.Pixels;
import dev.neep.gpu.api.Scanout;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.Rect;
import java.awt.Dimension;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.Test;

public class ScanoutScreenTest {
    private static final int W = 10;
    private static final int H = 8;
    private static final int BACKGROUND = 0xff203040;
    private static final int UNTOUCHED = 0xff5a5a5a;

    @Test
    public void framePaintsPixelExactAndOpaqueInEveryFormat() {
        int[] argb = Pictures.testPicture(W, H);
        for (int format : Pictures.ALL_FORMATS) {
            ScanoutScreen screen = new ScanoutScreen();
            screen.scanout(new Scanout(1, format, 0, 0, W, H));
            whole(screen, Pictures.frameOf(format, W, H, argb));
            screen.flush();
            assertEquals(new Dimension(W, H), screen.size());
            assertArrayEquals(Formats.name(format), Pictures.opaque(argb), paint(screen, 1.0));
        }
    }

    @Test
    public void cursorIsDrawnOverThePictureWithItsHotSpotOnThePosition() {
        ScanoutScreen screen = solidScreen();
        int red = 0xffff0000;
        int clear = 0x00ffffff;
        int halfGreen = 0x8000ff00;
        int blue = 0xff0000ff;
        int white = 0xffffffff;
        screen.cursor(new CursorImage(3, 2, 1, 1, new int[] {red, clear, halfGreen, blue, white, clear}));
        screen.moveCursor(4, 3);
        screen.flush();
        int[] px = paint(screen, 1.0);
        int[] expected = background();
        expected[at(3, 2)] = red;
        expected[at(5, 2)] = px[at(5, 2)];
        expected[at(3, 3)] = blue;
        expected[at(4, 3)] = white;
        assertArrayEquals(expected, px);
        // Source over: half the green over the background.
        assertNear(0xff109820, px[at(5, 2)]);
    }

    @Test
    public void cursorIsClippedAtThePictureEdgesAndHiddenByNull() {
        ScanoutScreen screen = solidScreen();
        int[] cursor = new int[4 * 4];
        Arrays.fill(cursor, 0xffffffff);
        screen.cursor(new CursorImage(4, 4, 0, 0, cursor));
        screen.moveCursor(W - 2, -2);
        screen.flush();
        int[] expected = background();
        for (int y = 0; y < 2; y++) {
            for (int x = W - 2; x < W; x++) {
                expected[at(x, y)] = 0xffffffff;
            }
        }
        assertArrayEquals(expected, paint(screen, 1.0));

        screen.cursor(null);
        screen.flush();
        assertArrayEquals(background(), paint(screen, 1.0));
    }

    @Test
    public void cursorWithoutAPositionIsNotDrawn() {
        ScanoutScreen screen = solidScreen();
        screen.cursor(new CursorImage(1, 1, 0, 0, new int[] {0xffffffff}));
        screen.flush();
        assertArrayEquals(background(), paint(screen, 1.0));
    }

    @Test
    public void wholeScaleRepeatsEachPixelAndTheCursor() {
        int[] argb = Pictures.testPicture(W, H);
        ScanoutScreen screen = new ScanoutScreen();
        whole(screen, Pictures.frameOf(Formats.B8G8R8X8_UNORM, W, H, argb));
        screen.cursor(new CursorImage(1, 1, 0, 0, new int[] {0xffabcdef}));
        screen.moveCursor(2, 1);
        screen.flush();
        int[] px = paint(screen, 2.0);
        for (int y = 0; y < 2 * H; y++) {
            for (int x = 0; x < 2 * W; x++) {
                int want = x / 2 == 2 && y / 2 == 1 ? 0xffabcdef : argb[(y / 2) * W + x / 2] | 0xff000000;
                assertEquals("(" + x + "," + y + ")", Integer.toHexString(want), Integer.toHexString(px[y * 2 * W + x]));
            }
        }
    }

    @Test
    public void updatesBeforeAFlushAskForOneFlushAndTheLastWins() {
        ScanoutScreen screen = new ScanoutScreen();
        assertTrue("the first update asks for a flush", whole(screen, Pictures.solid(W, H, 0xff000001)));
        assertFalse(whole(screen, Pictures.solid(W, H, 0xff000002)));
        assertFalse(screen.moveCursor(1, 1));
        assertFalse(screen.scanout(new Scanout(1, Formats.B8G8R8X8_UNORM, 0, 0, W, H)));
        assertFalse(whole(screen, Pictures.solid(W, H, 0xff000003)));
        ScanoutScreen.Flushed flushed = screen.flush();
        assertTrue(flushed.geometry() && flushed.picture() && flushed.cursor());
        assertEquals(0xff000003, paint(screen, 1.0)[0]);
        assertFalse("nothing new", screen.flush().any());
        assertTrue("after a flush the next update asks again", screen.moveCursor(2, 2));
    }

    @Test
    public void sizeChangeIsAGeometryChange() {
        ScanoutScreen screen = solidScreen();
        whole(screen, Pictures.solid(4, 3, 0xff010203));
        ScanoutScreen.Flushed flushed = screen.flush();
        assertTrue(flushed.geometry());
        assertEquals(new Dimension(4, 3), screen.size());
    }

    @Test
    public void disabledScanoutShowsNothingUntilSetAgain() {
        ScanoutScreen screen = solidScreen();
        screen.scanout(null);
        assertTrue(screen.flush().geometry());
        assertFalse(screen.enabled());
        assertArrayEquals(untouched(W * H), paint(screen, 1.0));

        screen.scanout(new Scanout(2, Formats.B8G8R8X8_UNORM, 0, 0, 6, 5));
        screen.flush();
        assertTrue(screen.enabled());
        assertEquals("the geometry's size until a frame comes", new Dimension(6, 5), screen.size());
    }

    @Test
    public void pixelsAreCopiedBeforeFrameReturns() {
        ByteBuffer pixels = ByteBuffer.allocate(W * H * 4);
        int[] fill = new int[W * H];
        Arrays.fill(fill, 0xff445566);
        Formats.fromArgb(Formats.B8G8R8X8_UNORM, fill, 0, pixels, 0, W * H);
        ScanoutScreen screen = new ScanoutScreen();
        whole(screen, new Frame(Formats.B8G8R8X8_UNORM, W, H, W * 4, pixels));
        pixels.put(0, new byte[W * H * 4]);
        screen.flush();
        assertEquals(0xff445566, paint(screen, 1.0)[0]);
    }

    @Test
    public void frameInAnUnknownFormatIsRefusedWithoutChangingThePicture() {
        ScanoutScreen screen = solidScreen();
        try {
            whole(screen, new Frame(999, W, H, W * 4, ByteBuffer.allocate(W * H * 4)));
            fail("accepted format 999");
        } catch (IllegalArgumentException expected) {
            // the sink logs and drops it
        }
        screen.flush();
        assertArrayEquals(background(), paint(screen, 1.0));
    }

    @Test
    public void cursorWithTooFewPixelsIsRefused() {
        try {
            new ScanoutScreen().cursor(new CursorImage(4, 4, 0, 0, new int[15]));
            fail("accepted 15 pixels for 4x4");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("4x4 with 15 pixels"));
        }
    }

    @Test
    public void onlyTheDirtyRectangleIsTakenFromLaterFrames() {
        ScanoutScreen screen = solidScreen();
        // Pixels outside the dirty rectangle are stale in the frame on purpose: they must not show.
        assertTrue(screen.frame(Pixels.of(Pictures.solid(W, H, 0xff000002)), new Rect(2, 1, 3, 2)));
        assertTrue(screen.flush().picture());
        int[] px = paint(screen, 1.0);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                boolean inside = x >= 2 && x < 5 && y >= 1 && y < 3;
                assertEquals("(" + x + "," + y + ")", inside ? 0xff000002 : BACKGROUND, px[at(x, y)]);
            }
        }
        // Clipped to the frame, however far outside it reaches; an empty one changes nothing.
        screen.frame(Pixels.of(Pictures.solid(W, H, 0xff000003)), new Rect(-5, H - 1, Integer.MAX_VALUE, 100));
        screen.frame(Pixels.of(Pictures.solid(W, H, 0xff000004)), new Rect(W, 0, 5, 5));
        screen.flush();
        px = paint(screen, 1.0);
        assertEquals(0xff000003, px[at(0, H - 1)]);
        assertEquals(0xff000003, px[at(W - 1, H - 1)]);
        assertEquals(0xff000002, px[at(2, 1)]);
        assertEquals(BACKGROUND, px[at(W - 1, 0)]);
    }

    @Test
    public void frameAfterAScanoutChangeIsTakenWhole() {
        ScanoutScreen screen = solidScreen();
        screen.scanout(new Scanout(2, Formats.B8G8R8X8_UNORM, 0, 0, W, H));
        screen.frame(Pixels.of(Pictures.solid(W, H, 0xff000002)), new Rect(0, 0, 1, 1));
        screen.flush();
        assertEquals(0xff000002, paint(screen, 1.0)[at(W - 1, H - 1)]);
    }

    // ---- helpers ----

    private static boolean whole(ScanoutScreen screen, Frame frame) {
        return screen.frame(Pixels.of(frame), new Rect(0, 0, frame.width(), frame.height()));
    }

    private static ScanoutScreen solidScreen() {
        ScanoutScreen screen = new ScanoutScreen();
        screen.scanout(new Scanout(1, Formats.B8G8R8X8_UNORM, 0, 0, W, H));
        whole(screen, Pictures.solid(W, H, BACKGROUND));
        screen.flush();
        return screen;
    }

    /** Paints into an opaque image the picture's size times {@code scale}, first filled with {@link #UNTOUCHED}. */
    private static int[] paint(ScanoutScreen screen, double scale) {
        Dimension size = screen.size();
        int w = (int) Math.ceil((size.width > 0 ? size.width : W) * scale);
        int h = (int) Math.ceil((size.height > 0 ? size.height : H) * scale);
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(new java.awt.Color(UNTOUCHED));
        g.fillRect(0, 0, w, h);
        screen.paint(g, scale);
        g.dispose();
        return image.getRGB(0, 0, w, h, null, 0, w);
    }

    private static int[] background() {
        int[] px = new int[W * H];
        Arrays.fill(px, BACKGROUND);
        return px;
    }

    private static int[] untouched(int n) {
        int[] px = new int[n];
        Arrays.fill(px, UNTOUCHED);
        return px;
    }

    private static int at(int x, int y) {
        return y * W + x;
    }

    private static void assertNear(int expected, int actual) {
        for (int shift = 0; shift < 32; shift += 8) {
            int e = expected >>> shift & 0xff;
            int a = actual >>> shift & 0xff;
            assertTrue(Integer.toHexString(expected) + " vs " + Integer.toHexString(actual), Math.abs(e - a) <= 1);
        }
    }
}
