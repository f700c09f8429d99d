package dev.neep.gpu.device.internal;

import dev.neep.gpu.device.DeviceConfig;
import java.nio.charset.StandardCharsets;

/**
 * Builds the 128-byte EDID 1.4 base block that GET_EDID answers with: a digital monitor whose
 * preferred (first detailed) timing is exactly the output's mode, its physical size derived
 * at 96 dpi so a guest computes a sensible DPI, sRGB chromaticity, a name and range limits.
 *
 * <p>Timings follow the shape of CVT reduced blanking (fixed 160-pixel horizontal blank, at
 * least 460 µs of vertical blank) at 60 Hz; a mode too large for the 16-bit pixel clock of a
 * detailed timing descriptor gets the highest whole refresh rate that fits instead.
 */
final class Edid {
    static final int SIZE = 128;
    /** A detailed timing descriptor has 12 bits for active pixels and lines. */
    static final int MAX_ACTIVE = DeviceConfig.MAX_RESOLUTION;
    static final int MIN_ACTIVE = 1;

    private static final int H_BLANK = 160;
    private static final int H_FRONT_PORCH = 48;
    private static final int H_SYNC = 32;
    private static final int V_FRONT_PORCH = 3;
    private static final int V_SYNC = 5;
    private static final int V_MIN_BACK_PORCH = 6;
    private static final double V_MIN_BLANK_SECONDS = 460e-6;
    private static final int REFRESH_HZ = 60;
    private static final long MAX_CLOCK_10KHZ = 0xffff;
    private static final String NAME = "neep virtio";

    private Edid() {
    }

    /** The EDID of a {@code width} x {@code height} monitor (each 1..{@value #MAX_ACTIVE}). */
    static byte[] generate(int width, int height) {
        if (width < MIN_ACTIVE || width > MAX_ACTIVE || height < MIN_ACTIVE || height > MAX_ACTIVE) {
            throw new IllegalArgumentException("EDID mode " + width + "x" + height + " outside 1.." + MAX_ACTIVE);
        }
        byte[] e = new byte[SIZE];
        // header
        e[0] = 0;
        for (int i = 1; i <= 6; i++) {
            e[i] = (byte) 0xff;
        }
        e[7] = 0;
        // manufacturer "NEP": three 5-bit letters, big-endian
        int pnp = ((('N' - '@') & 0x1f) << 10) | ((('E' - '@') & 0x1f) << 5) | (('P' - '@') & 0x1f);
        e[8] = (byte) (pnp >> 8);
        e[9] = (byte) pnp;
        e[10] = 0x01; // product code, little-endian
        e[11] = 0x00;
        // serial number 0 (bytes 12..15), week 0, model year 2024
        e[16] = 0;
        e[17] = (byte) (2024 - 1990);
        e[18] = 1; // EDID 1.4
        e[19] = 4;
        e[20] = (byte) 0xa5; // digital, 8 bits per colour, DisplayPort
        int widthMm = millimetres(width);
        int heightMm = millimetres(height);
        e[21] = (byte) Math.max(1, Math.min(255, Math.round(widthMm / 10f)));
        e[22] = (byte) Math.max(1, Math.min(255, Math.round(heightMm / 10f)));
        e[23] = 120; // gamma 2.2
        e[24] = 0x06; // RGB 4:4:4, sRGB default, preferred timing is native
        writeSrgbChromaticity(e, 25);
        // no established timings (35..37); standard timings unused
        for (int i = 38; i < 54; i++) {
            e[i] = 0x01;
        }
        Timing t = Timing.of(width, height);
        writeDetailedTiming(e, 54, t, widthMm, heightMm);
        writeName(e, 72);
        writeRangeLimits(e, 90, t);
        e[108 + 3] = 0x10; // dummy descriptor
        e[126] = 0; // no extension blocks
        e[127] = checksum(e);
        return e;
    }

    /** The byte that makes the block's 128 bytes sum to 0 modulo 256. */
    static byte checksum(byte[] block) {
        int sum = 0;
        for (int i = 0; i < SIZE - 1; i++) {
            sum += block[i] & 0xff;
        }
        return (byte) (-sum & 0xff);
    }

    private static int millimetres(int pixels) {
        return Math.max(1, Math.round(pixels * 25.4f / 96f));
    }

    record Timing(int hActive, int vActive, int hBlank, int vBlank, int refreshHz, long clock10kHz) {
        static Timing of(int width, int height) {
            int hTotal = width + H_BLANK;
            int refresh = REFRESH_HZ;
            while (true) {
                int vBlank = verticalBlank(height, refresh);
                long vTotal = height + vBlank;
                long clockHz = (long) hTotal * vTotal * refresh;
                long clock10k = (clockHz + 9_999) / 10_000;
                if (clock10k <= MAX_CLOCK_10KHZ || refresh == 1) {
                    return new Timing(width, height, H_BLANK, vBlank, refresh, Math.min(clock10k, MAX_CLOCK_10KHZ));
                }
                refresh--;
            }
        }

        /** Lines of vertical blank giving at least 460 µs at {@code refresh} Hz. */
        private static int verticalBlank(int height, int refresh) {
            double fraction = V_MIN_BLANK_SECONDS * refresh;
            int lines = (int) Math.ceil(height * fraction / (1 - fraction)) + 1;
            return Math.max(lines, V_FRONT_PORCH + V_SYNC + V_MIN_BACK_PORCH);
        }
    }

    private static void writeDetailedTiming(byte[] e, int at, Timing t, int widthMm, int heightMm) {
        e[at] = (byte) t.clock10kHz();
        e[at + 1] = (byte) (t.clock10kHz() >> 8);
        e[at + 2] = (byte) t.hActive();
        e[at + 3] = (byte) t.hBlank();
        e[at + 4] = (byte) (((t.hActive() >> 8) & 0x0f) << 4 | ((t.hBlank() >> 8) & 0x0f));
        e[at + 5] = (byte) t.vActive();
        e[at + 6] = (byte) t.vBlank();
        e[at + 7] = (byte) (((t.vActive() >> 8) & 0x0f) << 4 | ((t.vBlank() >> 8) & 0x0f));
        e[at + 8] = (byte) H_FRONT_PORCH;
        e[at + 9] = (byte) H_SYNC;
        e[at + 10] = (byte) ((V_FRONT_PORCH & 0x0f) << 4 | (V_SYNC & 0x0f));
        e[at + 11] = (byte) (((H_FRONT_PORCH >> 8) & 3) << 6 | ((H_SYNC >> 8) & 3) << 4
                | ((V_FRONT_PORCH >> 4) & 3) << 2 | ((V_SYNC >> 4) & 3));
        e[at + 12] = (byte) widthMm;
        e[at + 13] = (byte) heightMm;
        e[at + 14] = (byte) (((widthMm >> 8) & 0x0f) << 4 | ((heightMm >> 8) & 0x0f));
        e[at + 15] = 0; // no borders
        e[at + 16] = 0;
        e[at + 17] = 0x1a; // digital separate sync, hsync +, vsync - (the reduced-blanking polarity)
    }

    private static void writeName(byte[] e, int at) {
        e[at + 3] = (byte) 0xfc;
        writeText(e, at + 5, NAME);
    }

    private static void writeRangeLimits(byte[] e, int at, Timing t) {
        long clockHz = t.clock10kHz() * 10_000;
        int lineRateKhz = (int) Math.ceil(clockHz / (double) (t.hActive() + t.hBlank()) / 1000.0);
        e[at + 3] = (byte) 0xfd;
        e[at + 5] = (byte) Math.min(t.refreshHz(), 24);
        e[at + 6] = (byte) Math.max(t.refreshHz(), REFRESH_HZ);
        e[at + 7] = 1;
        e[at + 8] = (byte) Math.min(255, lineRateKhz + 1);
        e[at + 9] = (byte) Math.min(255, (clockHz + 9_999_999) / 10_000_000);
        e[at + 10] = 0x01; // range limits only, no timing formula
        e[at + 11] = 0x0a;
        for (int i = at + 12; i < at + 18; i++) {
            e[i] = 0x20;
        }
    }

    /** A display descriptor string: up to 13 characters, ended by a line feed, padded with spaces. */
    private static void writeText(byte[] e, int at, String text) {
        byte[] chars = text.getBytes(StandardCharsets.US_ASCII);
        int n = Math.min(13, chars.length);
        System.arraycopy(chars, 0, e, at, n);
        if (n < 13) {
            e[at + n] = 0x0a;
            for (int i = at + n + 1; i < at + 13; i++) {
                e[i] = 0x20;
            }
        }
    }

    private static void writeSrgbChromaticity(byte[] e, int at) {
        // 10-bit CIE coordinates of sRGB: red, green, blue, white (x then y)
        int[] c = {
            tenBits(0.640), tenBits(0.330), tenBits(0.300), tenBits(0.600),
            tenBits(0.150), tenBits(0.060), tenBits(0.3127), tenBits(0.3290)
        };
        e[at] = (byte) ((c[0] & 3) << 6 | (c[1] & 3) << 4 | (c[2] & 3) << 2 | (c[3] & 3));
        e[at + 1] = (byte) ((c[4] & 3) << 6 | (c[5] & 3) << 4 | (c[6] & 3) << 2 | (c[7] & 3));
        for (int i = 0; i < 8; i++) {
            e[at + 2 + i] = (byte) (c[i] >> 2);
        }
    }

    private static int tenBits(double v) {
        return (int) Math.round(v * 1024);
    }
}
