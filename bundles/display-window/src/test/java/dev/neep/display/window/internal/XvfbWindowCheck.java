package dev.neep.display.window.internal;

import dev.neep.config.support.TypedConfiguration;
import dev.neep.gpu.api.CursorImage;
import dev.neep.gpu.api.Pixels;
import dev.neep.gpu.api.Scanout;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.Rect;
import java.awt.Rectangle;
import java.awt.Robot;
import java.awt.image.BufferedImage;
import java.io.File;
import java.util.Arrays;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Run by {@link WindowOnXvfbTest} in a JVM of its own whose DISPLAY is an Xvfb server: shows a
 * scanout at scale 2 with a cursor, takes a screenshot with {@link Robot} and compares it pixel
 * for pixel, then checks that a later frame reaches the screen. Exits 0 when everything matched;
 * otherwise prints what differed and exits 1.
 */
public final class XvfbWindowCheck {
    static final int W = 40;
    static final int H = 30;
    static final int SCALE = 2;
    private static final long WAIT_MS = 10_000;

    private XvfbWindowCheck() {
    }

    public static void main(String[] args) throws Exception {
        File shot = new File(args[0]);
        WindowDisplay display = new WindowDisplay(WindowSettings.from(TypedConfiguration.read(WindowDisplayConfig.class,
                Map.of("title", "xvfb check", "scale", SCALE))));
        int exit = 1;
        try {
            check(display, shot);
            exit = 0;
        } catch (Throwable t) {
            t.printStackTrace(System.out);
        } finally {
            display.close();
        }
        System.exit(exit);
    }

    private static void check(WindowDisplay display, File shot) throws Exception {
        int[] picture = quadrants();
        display.scanoutChanged(Pictures.id(0), new Scanout(1, Formats.B8G8R8X8_UNORM, 0, 0, W, H));
        display.frameUpdated(Pictures.id(0), new Rect(0, 0, W, H), Pixels.of(Pictures.frameOf(Formats.B8G8R8X8_UNORM, W, H, picture)));
        int[] cursor = new int[4 * 4];
        Arrays.fill(cursor, 0xffffffff);
        cursor[0] = 0x00000000;
        display.cursorDefined(Pictures.id(0), new CursorImage(4, 4, 1, 1, cursor));
        display.cursorMoved(Pictures.id(0), 10, 20);

        // The cursor's hot spot (1, 1) on (10, 20): its transparent corner leaves the picture at (9, 19).
        int[] expected = picture.clone();
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                if (x + y > 0) {
                    expected[(19 + y) * W + 9 + x] = 0xffffffff;
                }
            }
        }
        Robot robot = new Robot();
        BufferedImage seen = awaitScreen(display, robot, expected, shot);

        int[] next = new int[W * H];
        Arrays.fill(next, 0xff808000);
        display.cursorDefined(Pictures.id(0), null);
        display.frameUpdated(Pictures.id(0), new Rect(0, 0, W, H), Pixels.of(Pictures.frameOf(Formats.X8R8G8B8_UNORM, W, H, next)));
        awaitScreen(display, robot, next, new File(shot.getPath().replace(".png", "-next.png")));
        System.out.println("window showed the frame and the cursor pixel for pixel (" + seen.getWidth() + "x"
                + seen.getHeight() + "), then the next frame");
    }

    /** Red, green, blue and grey quadrants, so that a swap of channels or halves shows. */
    private static int[] quadrants() {
        int[] px = new int[W * H];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                px[y * W + x] = x < W / 2 ? (y < H / 2 ? 0xffc01020 : 0xff10c020) : (y < H / 2 ? 0xff1020c0 : 0xff606060);
            }
        }
        return px;
    }

    private static BufferedImage awaitScreen(WindowDisplay display, Robot robot, int[] expected, File shot)
            throws Exception {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        String last = "the window never showed";
        while (System.currentTimeMillis() < deadline) {
            Rectangle r = display.pictureOnScreen(Pictures.id(0));
            if (r != null) {
                BufferedImage image = robot.createScreenCapture(r);
                ImageIO.write(image, "png", shot);
                last = compare(image, expected);
                if (last == null) {
                    return image;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError(last + " (screenshot: " + shot + ")");
    }

    private static String compare(BufferedImage image, int[] expected) {
        if (image.getWidth() != W * SCALE || image.getHeight() != H * SCALE) {
            return "picture is " + image.getWidth() + "x" + image.getHeight() + ", expected " + W * SCALE + "x"
                    + H * SCALE;
        }
        for (int y = 0; y < H * SCALE; y++) {
            for (int x = 0; x < W * SCALE; x++) {
                int want = expected[(y / SCALE) * W + x / SCALE] | 0xff000000;
                int got = image.getRGB(x, y) | 0xff000000;
                if (want != got) {
                    return "screen pixel (" + x + "," + y + ") is " + Integer.toHexString(got) + ", expected "
                            + Integer.toHexString(want);
                }
            }
        }
        return null;
    }
}
