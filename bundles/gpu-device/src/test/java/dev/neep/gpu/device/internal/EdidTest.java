package dev.neep.gpu.device.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.Test;

/** The EDID generator, read back the way a guest's EDID parser reads it. */
public class EdidTest {

    static int sum(byte[] edid) {
        int s = 0;
        for (int i = 0; i < 128; i++) {
            s += edid[i] & 0xff;
        }
        return s;
    }

    /** Horizontal active pixels of the first detailed timing descriptor (bytes 54..71). */
    static int preferredWidth(byte[] e) {
        return (e[56] & 0xff) | ((e[58] & 0xf0) << 4);
    }

    static int preferredHeight(byte[] e) {
        return (e[59] & 0xff) | ((e[61] & 0xf0) << 4);
    }

    private static int hBlank(byte[] e) {
        return (e[57] & 0xff) | ((e[58] & 0x0f) << 8);
    }

    private static int vBlank(byte[] e) {
        return (e[60] & 0xff) | ((e[61] & 0x0f) << 8);
    }

    private static long pixelClockHz(byte[] e) {
        return ((e[54] & 0xff) | ((e[55] & 0xff) << 8)) * 10_000L;
    }

    private static double refreshHz(byte[] e) {
        return pixelClockHz(e) / (double) ((preferredWidth(e) + hBlank(e)) * (long) (preferredHeight(e) + vBlank(e)));
    }

    @Test
    public void blockIs128BytesSummingToZero() {
        for (int[] mode : new int[][] {{1024, 768}, {1920, 1080}, {16, 16}, {4095, 4095}, {3840, 2160}}) {
            byte[] e = Edid.generate(mode[0], mode[1]);
            assertEquals(128, e.length);
            assertEquals(Arrays.toString(mode), 0, sum(e) % 256);
        }
    }

    @Test
    public void headerAndVersionAreEdid14() {
        byte[] e = Edid.generate(1024, 768);
        assertArrayEquals(new byte[] {0, -1, -1, -1, -1, -1, -1, 0}, Arrays.copyOf(e, 8));
        assertEquals(1, e[18]);
        assertEquals(4, e[19]);
        assertEquals(0, e[126]); // no extensions
    }

    @Test
    public void preferredTimingDecodesToTheMode() {
        for (int[] mode : new int[][] {{1024, 768}, {1280, 800}, {1920, 1080}, {16, 16}, {4095, 4095}, {2560, 1600}}) {
            byte[] e = Edid.generate(mode[0], mode[1]);
            assertEquals(mode[0], preferredWidth(e));
            assertEquals(mode[1], preferredHeight(e));
        }
    }

    @Test
    public void refreshIsSixtyHertzWhereThePixelClockAllows() {
        assertEquals(60.0, refreshHz(Edid.generate(1024, 768)), 0.1);
        assertEquals(60.0, refreshHz(Edid.generate(1920, 1080)), 0.1);
        double big = refreshHz(Edid.generate(4095, 4095));
        assertTrue("refresh " + big, big > 20 && big < 60);
    }

    @Test
    public void verticalBlankLastsAtLeast460Microseconds() {
        byte[] e = Edid.generate(1920, 1080);
        double lineSeconds = (preferredWidth(e) + hBlank(e)) / (double) pixelClockHz(e);
        assertTrue(vBlank(e) * lineSeconds >= 460e-6);
    }

    @Test
    public void descriptorsHoldNameAndRangeLimits() {
        byte[] e = Edid.generate(1024, 768);
        assertEquals((byte) 0xfc, e[72 + 3]);
        String name = new String(e, 72 + 5, 13, StandardCharsets.US_ASCII);
        assertTrue(name, name.startsWith("neep virtio\n"));
        assertEquals((byte) 0xfd, e[90 + 3]);
        int maxClock10Mhz = e[90 + 9] & 0xff;
        assertTrue(maxClock10Mhz * 10_000_000L >= pixelClockHz(e));
    }

    @Test
    public void physicalSizeFollows96Dpi() {
        byte[] e = Edid.generate(1920, 1080);
        int widthMm = (e[66] & 0xff) | ((e[68] & 0xf0) << 4);
        int heightMm = (e[67] & 0xff) | ((e[68] & 0x0f) << 8);
        assertEquals(508, widthMm);
        assertEquals(286, heightMm);
        assertEquals(51, e[21]);
        assertEquals(29, e[22]);
    }

    @Test(expected = IllegalArgumentException.class)
    public void modeWiderThanADescriptorCanHoldIsRefused() {
        Edid.generate(4096, 768);
    }
}
