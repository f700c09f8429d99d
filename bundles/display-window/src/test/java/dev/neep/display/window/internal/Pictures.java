package dev.neep.display.window.internal;

import dev.neep.gpu.api.Frame;
import dev.neep.gpu.api.ScanoutId;
import dev.neep.gpu.protocol.Formats;
import java.nio.ByteBuffer;
import java.util.Arrays;

/** Frames and pictures for the window tests. */
final class Pictures {
    static final int[] ALL_FORMATS = {
        Formats.B8G8R8A8_UNORM, Formats.B8G8R8X8_UNORM, Formats.A8R8G8B8_UNORM, Formats.X8R8G8B8_UNORM,
        Formats.R8G8B8A8_UNORM, Formats.X8B8G8R8_UNORM, Formats.A8B8G8R8_UNORM, Formats.R8G8B8X8_UNORM,
    };

    private Pictures() {
    }

    /** Alphas 0, 1, 0x80, 0xfe, 0xff with colours that would show any channel swap. */
    static int[] testPicture(int w, int h) {
        int[] alphas = {0x00, 0x01, 0x80, 0xfe, 0xff};
        int[] argb = new int[w * h];
        for (int i = 0; i < argb.length; i++) {
            argb[i] = alphas[i % alphas.length] << 24 | (0x12 + i * 17) << 16 & 0xff0000
                    | (0x34 + i * 29) << 8 & 0xff00 | (0x56 + i * 41) & 0xff;
        }
        return argb;
    }

    /** {@code argb} as a frame of {@code format}, with stride padding and bytes before the buffer's position. */
    static Frame frameOf(int format, int w, int h, int[] argb) {
        int stride = w * 4 + 12;
        int base = 5;
        ByteBuffer buf = ByteBuffer.allocate(base + stride * h);
        for (int y = 0; y < h; y++) {
            Formats.fromArgb(format, argb, y * w, buf, base + y * stride, w);
        }
        return new Frame(format, w, h, stride, buf.position(base).asReadOnlyBuffer());
    }

    static Frame solid(int w, int h, int argb) {
        int[] px = new int[w * h];
        Arrays.fill(px, argb);
        return frameOf(Formats.B8G8R8X8_UNORM, w, h, px);
    }

    /** Scanout {@code scanout} of the default device. */
    static ScanoutId id(int scanout) {
        return new ScanoutId(ScanoutId.DEFAULT_DEVICE, scanout);
    }

    static int[] opaque(int[] argb) {
        int[] o = argb.clone();
        for (int i = 0; i < o.length; i++) {
            o[i] |= 0xff000000;
        }
        return o;
    }
}
