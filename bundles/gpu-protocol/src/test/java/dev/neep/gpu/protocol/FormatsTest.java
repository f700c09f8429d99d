package dev.neep.gpu.protocol;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.Test;

/** Each format's bytes in memory map to the right ARGB pixel; X formats are opaque. */
public class FormatsTest {
    private static final int A = 0x80;
    private static final int R = 0x11;
    private static final int G = 0x22;
    private static final int B = 0x33;
    private static final int ARGB = 0x80112233;
    private static final int OPAQUE_RGB = 0xff112233;

    private static int convert(int format, int... memoryBytes) {
        byte[] px = new byte[4];
        for (int i = 0; i < 4; i++) {
            px[i] = (byte) memoryBytes[i];
        }
        int[] out = new int[1];
        Formats.toArgb(format, px, 0, out, 0, 1);
        return out[0];
    }

    @Test
    public void specValues() {
        assertEquals(1, Formats.B8G8R8A8_UNORM);
        assertEquals(2, Formats.B8G8R8X8_UNORM);
        assertEquals(3, Formats.A8R8G8B8_UNORM);
        assertEquals(4, Formats.X8R8G8B8_UNORM);
        assertEquals(67, Formats.R8G8B8A8_UNORM);
        assertEquals(68, Formats.X8B8G8R8_UNORM);
        assertEquals(121, Formats.A8B8G8R8_UNORM);
        assertEquals(134, Formats.R8G8B8X8_UNORM);
    }

    @Test
    public void formatNamesListBytesInMemoryOrder() {
        assertEquals(ARGB, convert(Formats.B8G8R8A8_UNORM, B, G, R, A));
        assertEquals(OPAQUE_RGB, convert(Formats.B8G8R8X8_UNORM, B, G, R, 0x00));
        assertEquals(ARGB, convert(Formats.A8R8G8B8_UNORM, A, R, G, B));
        assertEquals(OPAQUE_RGB, convert(Formats.X8R8G8B8_UNORM, 0x00, R, G, B));
        assertEquals(ARGB, convert(Formats.R8G8B8A8_UNORM, R, G, B, A));
        assertEquals(OPAQUE_RGB, convert(Formats.X8B8G8R8_UNORM, 0x07, B, G, R));
        assertEquals(ARGB, convert(Formats.A8B8G8R8_UNORM, A, B, G, R));
        assertEquals(OPAQUE_RGB, convert(Formats.R8G8B8X8_UNORM, R, G, B, 0x07));
    }

    @Test
    public void xFormatsAreOpaqueWhateverTheXByte() {
        assertEquals(OPAQUE_RGB, convert(Formats.B8G8R8X8_UNORM, B, G, R, 0x5a));
        assertEquals(OPAQUE_RGB, convert(Formats.X8R8G8B8_UNORM, 0x5a, R, G, B));
        assertFalse(Formats.hasAlpha(Formats.R8G8B8X8_UNORM));
        assertTrue(Formats.hasAlpha(Formats.A8B8G8R8_UNORM));
    }

    @Test
    public void fromArgbInvertsToArgbForEveryFormat() {
        int[] formats = {1, 2, 3, 4, 67, 68, 121, 134};
        int[] row = {0x80112233, 0x00ffffff, 0xff000000, 0x12345678, 0xfedcba98};
        for (int format : formats) {
            ByteBuffer mem = ByteBuffer.allocate(4 + row.length * 4).order(ByteOrder.BIG_ENDIAN);
            Formats.fromArgb(format, row, 0, mem, 4, row.length);
            int[] back = new int[row.length];
            Formats.toArgb(format, mem, 4, back, 0, row.length);
            for (int i = 0; i < row.length; i++) {
                int expected = Formats.hasAlpha(format) ? row[i] : row[i] | 0xff000000;
                assertEquals(Formats.name(format) + " pixel " + i, expected, back[i]);
            }
            assertEquals(0, mem.position());
            assertEquals(ByteOrder.BIG_ENDIAN, mem.order());
        }
    }

    @Test
    public void bulkRowMatchesPixelByPixel() {
        int width = 333;
        ByteBuffer mem = ByteBuffer.allocateDirect(8 + width * 4);
        for (int i = 0; i < mem.capacity(); i++) {
            mem.put(i, (byte) (i * 31 + 7));
        }
        for (int format : new int[] {1, 2, 3, 4, 67, 68, 121, 134}) {
            int[] bulk = new int[width + 2];
            Formats.toArgb(format, mem, 8, bulk, 2, width);
            for (int x = 0; x < width; x++) {
                int word = mem.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt(8 + x * 4);
                assertEquals(Formats.toArgb(format, word), bulk[2 + x]);
            }
        }
    }

    @Test
    public void conversionOutsideTheBufferThrowsAndWritesNothing() {
        int[] out = {42, 42};
        try {
            Formats.toArgb(Formats.B8G8R8A8_UNORM, new byte[6], 0, out, 0, 2);
        } catch (IndexOutOfBoundsException | IllegalArgumentException expected) {
            assertArrayEquals(new int[] {42, 42}, out);
            return;
        }
        throw new AssertionError("expected a bounds failure");
    }

    @Test
    public void supportedFormatsAreExactlyTheEight() {
        int count = 0;
        for (int f = 0; f < 256; f++) {
            if (Formats.isSupported2d(f)) {
                count++;
                assertEquals(4, Formats.bytesPerPixel(f));
            }
        }
        assertEquals(8, count);
        assertFalse(Formats.isSupported2d(-1));
    }

    @Test(expected = IllegalArgumentException.class)
    public void bytesPerPixelOfAnUnknownFormatIsAnError() {
        Formats.bytesPerPixel(5);
    }
}
