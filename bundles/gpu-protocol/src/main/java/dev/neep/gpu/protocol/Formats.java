package dev.neep.gpu.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;

/**
 * {@code enum virtio_gpu_formats} (virtio 1.3 §5.7.6.8): the eight 32-bit formats of 2D
 * resources. A format's name lists its bytes in memory order, so B8G8R8A8 is the bytes B, G, R,
 * A at increasing addresses. The X formats carry no alpha: they convert to opaque pixels.
 *
 * <p>"ARGB" here is a packed {@code int} 0xAARRGGBB, the layout of {@code BufferedImage.TYPE_INT_ARGB}.
 */
public final class Formats {
    public static final int B8G8R8A8_UNORM = 1;
    public static final int B8G8R8X8_UNORM = 2;
    public static final int A8R8G8B8_UNORM = 3;
    public static final int X8R8G8B8_UNORM = 4;
    public static final int R8G8B8A8_UNORM = 67;
    public static final int X8B8G8R8_UNORM = 68;
    public static final int A8B8G8R8_UNORM = 121;
    public static final int R8G8B8X8_UNORM = 134;

    private static final int OPAQUE = 0xff000000;

    private Formats() {
    }

    /** True for the formats RESOURCE_CREATE_2D accepts; anything else is RESP_ERR_INVALID_PARAMETER. */
    public static boolean isSupported2d(int format) {
        switch (format) {
            case B8G8R8A8_UNORM:
            case B8G8R8X8_UNORM:
            case A8R8G8B8_UNORM:
            case X8R8G8B8_UNORM:
            case R8G8B8A8_UNORM:
            case X8B8G8R8_UNORM:
            case A8B8G8R8_UNORM:
            case R8G8B8X8_UNORM:
                return true;
            default:
                return false;
        }
    }

    /** True when the format has an alpha channel (the A formats), false for X formats. */
    public static boolean hasAlpha(int format) {
        requireSupported(format);
        return format == B8G8R8A8_UNORM || format == A8R8G8B8_UNORM
                || format == R8G8B8A8_UNORM || format == A8B8G8R8_UNORM;
    }

    /**
     * Bytes per pixel of a 2D format (4 for all of them).
     *
     * @throws IllegalArgumentException if {@code !isSupported2d(format)}: callers validate
     *         guest input first and answer RESP_ERR_INVALID_PARAMETER themselves
     */
    public static int bytesPerPixel(int format) {
        requireSupported(format);
        return 4;
    }

    /** Spec name without the VIRTIO_GPU_FORMAT_ prefix, or {@code UNKNOWN(n)}. */
    public static String name(int format) {
        switch (format) {
            case B8G8R8A8_UNORM: return "B8G8R8A8_UNORM";
            case B8G8R8X8_UNORM: return "B8G8R8X8_UNORM";
            case A8R8G8B8_UNORM: return "A8R8G8B8_UNORM";
            case X8R8G8B8_UNORM: return "X8R8G8B8_UNORM";
            case R8G8B8A8_UNORM: return "R8G8B8A8_UNORM";
            case X8B8G8R8_UNORM: return "X8B8G8R8_UNORM";
            case A8B8G8R8_UNORM: return "A8B8G8R8_UNORM";
            case R8G8B8X8_UNORM: return "R8G8B8X8_UNORM";
            default: return "UNKNOWN(" + Integer.toUnsignedString(format) + ")";
        }
    }

    /**
     * Converts {@code count} pixels of {@code format} starting at absolute byte index
     * {@code srcOffset} of {@code src} into ARGB at {@code dst[dstOffset..]}. The source's
     * position, limit and byte order are left unchanged.
     *
     * @throws IllegalArgumentException if the format is not a 2D format
     * @throws IndexOutOfBoundsException if either range is outside its buffer
     */
    public static void toArgb(int format, ByteBuffer src, int srcOffset, int[] dst, int dstOffset, int count) {
        requireSupported(format);
        int bytes = Math.multiplyExact(count, 4);
        // A little-endian int view copies the row in one bulk call; the per-format fix-up
        // below is then pure register work on the ints.
        IntBuffer ints = src.duplicate().clear()
                .position(srcOffset).limit(Math.addExact(srcOffset, bytes))
                .slice().order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
        ints.get(dst, dstOffset, count);
        littleEndianWordsToArgb(format, dst, dstOffset, count);
    }

    /** {@link #toArgb(int, ByteBuffer, int, int[], int, int)} for a byte array. */
    public static void toArgb(int format, byte[] src, int srcOffset, int[] dst, int dstOffset, int count) {
        toArgb(format, ByteBuffer.wrap(src), srcOffset, dst, dstOffset, count);
    }

    /**
     * The inverse of {@link #toArgb}: writes {@code count} ARGB pixels as {@code format} at
     * absolute byte index {@code dstOffset} of {@code dst}. X formats get 0xff in the X byte.
     * The destination's position, limit and byte order are left unchanged.
     */
    public static void fromArgb(int format, int[] src, int srcOffset, ByteBuffer dst, int dstOffset, int count) {
        requireSupported(format);
        int bytes = Math.multiplyExact(count, 4);
        IntBuffer ints = dst.duplicate().clear()
                .position(dstOffset).limit(Math.addExact(dstOffset, bytes))
                .slice().order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
        for (int i = 0; i < count; i++) {
            ints.put(i, argbToLittleEndianWord(format, src[srcOffset + i]));
        }
    }

    /** One pixel: the 4 bytes of {@code format} read as a little-endian int, to ARGB. */
    public static int toArgb(int format, int littleEndianWord) {
        int v = littleEndianWord;
        switch (format) {
            case B8G8R8A8_UNORM: return v;
            case B8G8R8X8_UNORM: return v | OPAQUE;
            case A8R8G8B8_UNORM: return Integer.reverseBytes(v);
            case X8R8G8B8_UNORM: return Integer.reverseBytes(v) | OPAQUE;
            case R8G8B8A8_UNORM: return swapRedBlue(v);
            case R8G8B8X8_UNORM: return swapRedBlue(v) | OPAQUE;
            case A8B8G8R8_UNORM: return Integer.rotateRight(v, 8);
            case X8B8G8R8_UNORM: return (v >>> 8) | OPAQUE;
            default: throw unsupported(format);
        }
    }

    /** One pixel: ARGB to the little-endian int whose bytes are {@code format}'s memory order. */
    public static int argbToLittleEndianWord(int format, int argb) {
        switch (format) {
            case B8G8R8A8_UNORM: return argb;
            case B8G8R8X8_UNORM: return argb | OPAQUE;
            case A8R8G8B8_UNORM: return Integer.reverseBytes(argb);
            case X8R8G8B8_UNORM: return Integer.reverseBytes(argb | OPAQUE);
            case R8G8B8A8_UNORM: return swapRedBlue(argb);
            case R8G8B8X8_UNORM: return swapRedBlue(argb) | OPAQUE;
            case A8B8G8R8_UNORM: return Integer.rotateLeft(argb, 8);
            case X8B8G8R8_UNORM: return (argb << 8) | 0xff;
            default: throw unsupported(format);
        }
    }

    private static void littleEndianWordsToArgb(int format, int[] px, int from, int count) {
        int end = from + count;
        // One loop per format keeps the switch out of the per-pixel path.
        switch (format) {
            case B8G8R8A8_UNORM:
                break;
            case B8G8R8X8_UNORM:
                for (int i = from; i < end; i++) {
                    px[i] |= OPAQUE;
                }
                break;
            case A8R8G8B8_UNORM:
                for (int i = from; i < end; i++) {
                    px[i] = Integer.reverseBytes(px[i]);
                }
                break;
            case X8R8G8B8_UNORM:
                for (int i = from; i < end; i++) {
                    px[i] = Integer.reverseBytes(px[i]) | OPAQUE;
                }
                break;
            case R8G8B8A8_UNORM:
                for (int i = from; i < end; i++) {
                    px[i] = swapRedBlue(px[i]);
                }
                break;
            case R8G8B8X8_UNORM:
                for (int i = from; i < end; i++) {
                    px[i] = swapRedBlue(px[i]) | OPAQUE;
                }
                break;
            case A8B8G8R8_UNORM:
                for (int i = from; i < end; i++) {
                    px[i] = Integer.rotateRight(px[i], 8);
                }
                break;
            case X8B8G8R8_UNORM:
                for (int i = from; i < end; i++) {
                    px[i] = (px[i] >>> 8) | OPAQUE;
                }
                break;
            default:
                throw unsupported(format);
        }
    }

    private static int swapRedBlue(int v) {
        return (v & 0xff00ff00) | ((v >>> 16) & 0xff) | ((v & 0xff) << 16);
    }

    private static void requireSupported(int format) {
        if (!isSupported2d(format)) {
            throw unsupported(format);
        }
    }

    private static IllegalArgumentException unsupported(int format) {
        return new IllegalArgumentException("not a virtio-gpu 2D format: " + Integer.toUnsignedString(format));
    }
}
