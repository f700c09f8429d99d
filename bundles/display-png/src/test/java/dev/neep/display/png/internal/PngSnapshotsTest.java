package dev.neep.display.png.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.neep.config.support.TypedConfiguration;
import dev.neep.gpu.api.Frame;
import dev.neep.gpu.api.Pixels;
import dev.neep.gpu.api.ScanoutId;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.Rect;
import dev.neep.testkit.TornPixels;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.Assume;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class PngSnapshotsTest {
    private static final int[] ALL_FORMATS = {
        Formats.B8G8R8A8_UNORM, Formats.B8G8R8X8_UNORM, Formats.A8R8G8B8_UNORM, Formats.X8R8G8B8_UNORM,
        Formats.R8G8B8A8_UNORM, Formats.X8B8G8R8_UNORM, Formats.A8B8G8R8_UNORM, Formats.R8G8B8X8_UNORM,
    };
    private static final int W = 5;
    private static final int H = 3;
    private static final long WAIT_MS = 10_000;

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void everyFormatRoundTripsPixelExact() throws IOException {
        Path dir = tmp.getRoot().toPath();
        int[] argb = testPicture();
        try (PngSnapshots png = start(dir, 0)) {
            for (int i = 0; i < ALL_FORMATS.length; i++) {
                png.frameUpdated(id(i), new Rect(0, 0, W, H), Pixels.of(frameOf(ALL_FORMATS[i], argb)));
            }
        }
        for (int i = 0; i < ALL_FORMATS.length; i++) {
            int format = ALL_FORMATS[i];
            BufferedImage read = ImageIO.read(dir.resolve("scanout-" + i + ".png").toFile());
            assertEquals(W, read.getWidth());
            assertEquals(H, read.getHeight());
            int[] expected = argb.clone();
            if (!Formats.hasAlpha(format)) {
                for (int p = 0; p < expected.length; p++) {
                    expected[p] |= 0xff000000;
                }
            }
            assertArrayEquals(Formats.name(format), expected, read.getRGB(0, 0, W, H, null, 0, W));
        }
    }

    @Test
    public void snapshotsAreReadableByEveryone() throws IOException {
        Path dir = tmp.getRoot().toPath();
        Assume.assumeTrue("no POSIX permissions on this file system",
                dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
        try (PngSnapshots png = start(dir, 0)) {
            png.frameUpdated(id(0), new Rect(0, 0, W, H), Pixels.of(solid(0xff000001)));
        }
        for (String name : List.of("scanout-0-1.png", "scanout-0.png")) {
            assertEquals(name, "rw-r--r--",
                    PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(name))));
        }
    }

    @Test
    public void burstIsRateLimitedWithATrailingWrite() throws Exception {
        Path dir = tmp.getRoot().toPath();
        long interval = 2000;
        try (PngSnapshots png = start(dir, interval)) {
            long begin = System.nanoTime();
            png.frameUpdated(id(0), new Rect(0, 0, W, H), Pixels.of(solid(0xff000001)));
            awaitFiles(dir, "scanout-0-1.png");
            // The burst comes within the interval after the first write: none of it is written
            // until the interval has passed, and then only its last update.
            for (int i = 2; i <= 10; i++) {
                png.frameUpdated(id(0), new Rect(0, 0, W, H), Pixels.of(solid(0xff000000 | i)));
            }
            awaitFiles(dir, "scanout-0-2.png");
            long elapsedMs = (System.nanoTime() - begin) / 1_000_000;
            assertTrue("trailing write after " + elapsedMs + " ms, before the interval", elapsedMs >= interval);
            Thread.sleep(300);
            assertEquals(List.of("scanout-0-1.png", "scanout-0-2.png", "scanout-0.png"), files(dir));
            assertEquals(0xff000001, colour(dir.resolve("scanout-0-1.png")));
            assertEquals("the last update is the one written last", 0xff00000a, colour(dir.resolve("scanout-0-2.png")));
            assertEquals(0xff00000a, colour(dir.resolve("scanout-0.png")));
        }
    }

    @Test
    public void updatesWaitingForTheWriterAreFoldedIntoTheLast() throws Exception {
        Path dir = tmp.getRoot().toPath();
        PngSnapshots png = start(dir, 60_000);
        png.frameUpdated(id(1), new Rect(0, 0, W, H), Pixels.of(solid(0xff000001)));
        awaitFiles(dir, "scanout-1-1.png");
        for (int i = 2; i <= 10; i++) {
            png.frameUpdated(id(1), new Rect(0, 0, W, H), Pixels.of(solid(0xff000000 | i)));
        }
        png.close();
        assertEquals(List.of("scanout-1-1.png", "scanout-1-2.png", "scanout-1.png"), files(dir));
        assertEquals(0xff00000a, colour(dir.resolve("scanout-1.png")));
    }

    @Test
    public void updatesFurtherApartThanTheIntervalAreEachWritten() throws Exception {
        Path dir = tmp.getRoot().toPath();
        try (PngSnapshots png = start(dir, 50)) {
            for (int i = 1; i <= 3; i++) {
                png.frameUpdated(id(2), new Rect(0, 0, W, H), Pixels.of(solid(0xff000000 | i)));
                awaitFiles(dir, "scanout-2-" + i + ".png");
                Thread.sleep(100);
            }
        }
        assertEquals(0xff000001, colour(dir.resolve("scanout-2-1.png")));
        assertEquals(0xff000003, colour(dir.resolve("scanout-2-3.png")));
        assertEquals(0xff000003, colour(dir.resolve("scanout-2.png")));
    }

    @Test
    public void onlyTheLastKeepNumberedSnapshotsStay() throws Exception {
        Path dir = tmp.getRoot().toPath();
        try (PngSnapshots png = start(dir, 0, 2)) {
            for (int i = 1; i <= 5; i++) {
                png.frameUpdated(id(0), new Rect(0, 0, W, H), Pixels.of(solid(0xff000000 | i)));
                awaitFiles(dir, "scanout-0-" + i + ".png");
            }
        }
        assertEquals(List.of("scanout-0-4.png", "scanout-0-5.png", "scanout-0.png"), files(dir));
        assertEquals(0xff000004, colour(dir.resolve("scanout-0-4.png")));
        assertEquals(0xff000005, colour(dir.resolve("scanout-0.png")));
    }

    @Test
    public void keepZeroWritesOnlyTheNewest() throws Exception {
        Path dir = tmp.getRoot().toPath();
        try (PngSnapshots png = start(dir, 0, 0)) {
            png.frameUpdated(id(0), new Rect(0, 0, W, H), Pixels.of(solid(0xff000001)));
            awaitFiles(dir, "scanout-0.png");
            png.frameUpdated(id(0), new Rect(0, 0, W, H), Pixels.of(solid(0xff000002)));
        }
        assertEquals(List.of("scanout-0.png"), files(dir));
        assertEquals(0xff000002, colour(dir.resolve("scanout-0.png")));
    }

    @Test
    public void closeFlushesThePendingUpdate() throws Exception {
        Path dir = tmp.getRoot().toPath();
        PngSnapshots png = start(dir, 60_000);
        png.frameUpdated(id(0), new Rect(0, 0, W, H), Pixels.of(solid(0xff111111)));
        awaitFiles(dir, "scanout-0-1.png");
        png.frameUpdated(id(0), new Rect(0, 0, W, H), Pixels.of(solid(0xff222222)));
        png.close();
        assertEquals(0xff222222, colour(dir.resolve("scanout-0-2.png")));
        assertEquals(0xff222222, colour(dir.resolve("scanout-0.png")));

        png.frameUpdated(id(0), new Rect(0, 0, W, H), Pixels.of(solid(0xff333333)));
        Thread.sleep(100);
        assertEquals("updates after close are dropped", 0xff222222, colour(dir.resolve("scanout-0.png")));
        assertEquals(List.of("scanout-0-1.png", "scanout-0-2.png", "scanout-0.png"), files(dir));
    }

    @Test
    public void aReadThatIsNotWholeIsWrittenWithTheNextUpdate() throws Exception {
        Path dir = tmp.getRoot().toPath();
        Pixels under = Pixels.of(solid(0xff010203));
        Pixels torn = new TornPixels(under);
        try (PngSnapshots png = start(dir, 0)) {
            png.frameUpdated(id(0), new Rect(0, 0, W, H), torn);
            Thread.sleep(200);
            assertEquals("nothing written from a torn read", List.of(), files(dir));
            png.frameUpdated(id(0), new Rect(0, 0, 1, 1), Pixels.of(solid(0xff445566)));
            awaitFiles(dir, "scanout-0-1.png");
        }
        assertEquals(0xff445566, colour(dir.resolve("scanout-0.png")));
    }

    @Test
    public void anotherDevicesScanoutsAreFilesOfTheirOwn() throws Exception {
        Path dir = tmp.getRoot().toPath();
        try (PngSnapshots png = start(dir, 0)) {
            png.frameUpdated(id(0), new Rect(0, 0, W, H), Pixels.of(solid(0xff000001)));
            png.frameUpdated(new ScanoutId("guest2", 0), new Rect(0, 0, W, H), Pixels.of(solid(0xff000002)));
            awaitFiles(dir, "scanout-0.png");
            awaitFiles(dir, "guest2-scanout-0.png");
        }
        assertEquals(0xff000001, colour(dir.resolve("scanout-0.png")));
        assertEquals(0xff000002, colour(dir.resolve("guest2-scanout-0.png")));
    }

    private static ScanoutId id(int scanout) {
        return new ScanoutId(ScanoutId.DEFAULT_DEVICE, scanout);
    }

    private static PngSnapshots start(Path dir, long intervalMs) {
        return start(dir, intervalMs, PngSettings.DEFAULT_KEEP);
    }

    private static PngSnapshots start(Path dir, long intervalMs, int keep) {
        return PngSnapshots.start(PngSettings.from(TypedConfiguration.read(PngDisplayConfig.class,
                Map.of("directory", dir.toString(), "min_interval_ms", intervalMs, "keep", keep))));
    }

    /** Alphas 0, 1, 0x80, 0xff with colours that would show any channel swap or premultiplication. */
    private static int[] testPicture() {
        int[] alphas = {0x00, 0x01, 0x80, 0xfe, 0xff};
        int[] argb = new int[W * H];
        for (int i = 0; i < argb.length; i++) {
            argb[i] = alphas[i % alphas.length] << 24 | (0x12 + i * 17) << 16 & 0xff0000 | (0x34 + i * 29) << 8 & 0xff00
                    | (0x56 + i * 41) & 0xff;
        }
        return argb;
    }

    /**
     * A frame of {@code format} holding {@code argb}, built from the format's name (its bytes in
     * memory order), with stride padding and bytes before the buffer's position.
     */
    private static Frame frameOf(int format, int[] argb) {
        String channels = Formats.name(format).substring(0, 8).replaceAll("[0-9]", "");
        int stride = W * 4 + 8;
        int base = 3;
        ByteBuffer buf = ByteBuffer.allocate(base + stride * H);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int px = argb[y * W + x];
                for (int c = 0; c < 4; c++) {
                    int shift = "ARGB".indexOf(channels.charAt(c) == 'X' ? 'A' : channels.charAt(c));
                    int value = channels.charAt(c) == 'X' ? 0x5a : px >>> (24 - 8 * shift) & 0xff;
                    buf.put(base + y * stride + x * 4 + c, (byte) value);
                }
            }
        }
        return new Frame(format, W, H, stride, buf.position(base).asReadOnlyBuffer());
    }

    private static Frame solid(int argb) {
        ByteBuffer buf = ByteBuffer.allocate(W * H * 4);
        Formats.fromArgb(Formats.B8G8R8X8_UNORM, fill(argb), 0, buf, 0, W * H);
        return new Frame(Formats.B8G8R8X8_UNORM, W, H, W * 4, buf.asReadOnlyBuffer());
    }

    private static int[] fill(int argb) {
        int[] px = new int[W * H];
        java.util.Arrays.fill(px, argb);
        return px;
    }

    private static int colour(Path file) throws IOException {
        return ImageIO.read(file.toFile()).getRGB(W - 1, H - 1);
    }

    private static List<String> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    private static void awaitFiles(Path dir, String name) throws Exception {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (!Files.exists(dir.resolve(name))) {
            if (System.currentTimeMillis() > deadline) {
                fail("no " + name + " after " + WAIT_MS + " ms; saw " + files(dir));
            }
            Thread.sleep(10);
        }
    }
}
