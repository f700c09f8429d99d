package dev.neep.virgl.stream;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Builds a virgl command stream: little-endian dwords, each command a header
 * {@code cmd | object_type << 8 | length << 16} (length in dwords, header excluded) followed by
 * its payload, as virglrenderer's {@code virgl_protocol.h} lays them out. Covers what a test
 * needs to render without a guest driver: surface objects, framebuffer state, clears.
 *
 * <pre>{@code
 * ByteBuffer commands = new VirglCommandStream()
 *         .createSurface(1, resourceId, format)
 *         .setFramebufferState(0, 1)
 *         .clearColor(0.2f, 0.4f, 0.6f, 1f)
 *         .toByteBuffer();
 * }</pre>
 */
public final class VirglCommandStream {

    // enum virgl_context_cmd
    public static final int CCMD_NOP = 0;
    public static final int CCMD_CREATE_OBJECT = 1;
    public static final int CCMD_BIND_OBJECT = 2;
    public static final int CCMD_DESTROY_OBJECT = 3;
    public static final int CCMD_SET_VIEWPORT_STATE = 4;
    public static final int CCMD_SET_FRAMEBUFFER_STATE = 5;
    public static final int CCMD_SET_VERTEX_BUFFERS = 6;
    public static final int CCMD_CLEAR = 7;
    public static final int CCMD_RESOURCE_COPY_REGION = 17;
    public static final int CCMD_PIPE_RESOURCE_CREATE = 48;

    // enum virgl_object_type
    public static final int OBJECT_NULL = 0;
    public static final int OBJECT_SURFACE = 8;

    // VIRGL_RESOURCE_FLAG_*: a blob the guest maps must be persistent and coherent
    public static final int RESOURCE_FLAG_MAP_PERSISTENT = 1 << 1;
    public static final int RESOURCE_FLAG_MAP_COHERENT = 1 << 2;

    // PIPE_CLEAR_* buffer bits of a clear
    public static final int CLEAR_DEPTH = 1;
    public static final int CLEAR_STENCIL = 1 << 1;
    public static final int CLEAR_COLOR0 = 1 << 2;

    /** Colour buffers a framebuffer state can name (VIRGL_MAX_COLOR_BUFS). */
    public static final int MAX_COLOR_BUFS = 8;

    private static final int MAX_LENGTH = 0xffff;
    private static final int SURFACE_SIZE = 5;
    private static final int CLEAR_SIZE = 8;
    private static final int PIPE_RESOURCE_CREATE_SIZE = 11;
    private static final int COPY_REGION_SIZE = 13;
    private static final int PIPE_BUFFER = 0;
    private static final int FORMAT_R8_UNORM = 64;
    private static final int BIND_VERTEX_BUFFER = 1 << 4;

    private int[] dwords = new int[64];
    private int size;

    /** The header dword of a command with {@code length} payload dwords. */
    public static int header(int command, int objectType, int length) {
        if ((command & ~0xff) != 0 || (objectType & ~0xff) != 0 || length < 0 || length > MAX_LENGTH) {
            throw new IllegalArgumentException("command " + command + ", object " + objectType + ", length " + length
                    + " do not fit a header (8, 8 and 16 bits)");
        }
        return command | objectType << 8 | length << 16;
    }

    /** A surface over level 0, layer 0 of texture resource {@code resourceId}. */
    public VirglCommandStream createSurface(int handle, int resourceId, int virglFormat) {
        return createSurface(handle, resourceId, virglFormat, 0, 0, 0);
    }

    /**
     * A surface object {@code handle} over mip {@code level}, layers {@code firstLayer} to
     * {@code lastLayer} of texture resource {@code resourceId}, seen in {@code virglFormat}.
     */
    public VirglCommandStream createSurface(int handle, int resourceId, int virglFormat, int level, int firstLayer,
            int lastLayer) {
        return put(header(CCMD_CREATE_OBJECT, OBJECT_SURFACE, SURFACE_SIZE),
                handle, resourceId, virglFormat, level, (firstLayer & 0xffff) | lastLayer << 16);
    }

    /** Destroys object {@code handle} of {@code objectType} (e.g. {@link #OBJECT_SURFACE}). */
    public VirglCommandStream destroyObject(int objectType, int handle) {
        return put(header(CCMD_DESTROY_OBJECT, objectType, 1), handle);
    }

    /**
     * Binds surface handles as colour buffers 0.. and {@code zsurfHandle} as depth/stencil
     * (0 for none).
     */
    public VirglCommandStream setFramebufferState(int zsurfHandle, int... colorSurfaceHandles) {
        if (colorSurfaceHandles.length > MAX_COLOR_BUFS) {
            throw new IllegalArgumentException(colorSurfaceHandles.length + " colour buffers; at most " + MAX_COLOR_BUFS);
        }
        put(header(CCMD_SET_FRAMEBUFFER_STATE, OBJECT_NULL, colorSurfaceHandles.length + 2),
                colorSurfaceHandles.length, zsurfHandle);
        return put(colorSurfaceHandles);
    }

    /**
     * Clears the bound buffers named by {@code buffers} ({@link #CLEAR_COLOR0} etc.): colours to
     * ({@code r}, {@code g}, {@code b}, {@code a}), depth to {@code depth}, stencil to
     * {@code stencil}.
     */
    public VirglCommandStream clear(int buffers, float r, float g, float b, float a, double depth, int stencil) {
        long depthBits = Double.doubleToRawLongBits(depth);
        return put(header(CCMD_CLEAR, OBJECT_NULL, CLEAR_SIZE), buffers,
                Float.floatToRawIntBits(r), Float.floatToRawIntBits(g), Float.floatToRawIntBits(b),
                Float.floatToRawIntBits(a), (int) depthBits, (int) (depthBits >>> 32), stencil);
    }

    /** Clears colour buffer 0 only. */
    public VirglCommandStream clearColor(float r, float g, float b, float a) {
        return clear(CLEAR_COLOR0, r, g, b, a, 1.0, 0);
    }

    /**
     * Makes, in the context's own stream, a buffer of {@code size} bytes that a
     * RESOURCE_CREATE_BLOB with {@code blobId} then claims: a host blob. {@code flags} are
     * {@code VIRGL_RESOURCE_FLAG_*}; one the guest maps needs {@link #RESOURCE_FLAG_MAP_PERSISTENT}
     * and {@link #RESOURCE_FLAG_MAP_COHERENT}.
     */
    public VirglCommandStream pipeBufferCreate(int size, int flags, int blobId) {
        return put(header(CCMD_PIPE_RESOURCE_CREATE, OBJECT_NULL, PIPE_RESOURCE_CREATE_SIZE),
                PIPE_BUFFER, FORMAT_R8_UNORM, BIND_VERTEX_BUFFER, size, 1, 1, 1, 0, 0, flags, blobId);
    }

    /** Copies {@code width} bytes of buffer {@code srcResource} from {@code srcX} to {@code dstX} of {@code dstResource}. */
    public VirglCommandStream copyBufferRegion(int dstResource, int dstX, int srcResource, int srcX, int width) {
        return put(header(CCMD_RESOURCE_COPY_REGION, OBJECT_NULL, COPY_REGION_SIZE),
                dstResource, 0, dstX, 0, 0, srcResource, 0, srcX, 0, 0, width, 1, 1);
    }

    /** Appends raw dwords, for commands this class does not encode. */
    public VirglCommandStream put(int... values) {
        if (size + values.length > dwords.length) {
            dwords = Arrays.copyOf(dwords, Math.max(dwords.length * 2, size + values.length));
        }
        System.arraycopy(values, 0, dwords, size, values.length);
        size += values.length;
        return this;
    }

    public int sizeInDwords() {
        return size;
    }

    public int[] toDwords() {
        return Arrays.copyOf(dwords, size);
    }

    /** The stream as little-endian bytes, position 0, limit at its end. */
    public ByteBuffer toByteBuffer() {
        ByteBuffer buffer = ByteBuffer.allocate(size * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asIntBuffer().put(dwords, 0, size);
        return buffer;
    }
}
