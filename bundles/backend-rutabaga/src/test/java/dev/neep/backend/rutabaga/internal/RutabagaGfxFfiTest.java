package dev.neep.backend.rutabaga.internal;

import static org.junit.Assert.assertEquals;

import com.sun.jna.Memory;
import com.sun.jna.Structure;
import dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.rutabaga_builder;
import dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.rutabaga_channel;
import dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.rutabaga_channels;
import dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.rutabaga_command;
import dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.rutabaga_create_3d;
import dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.rutabaga_create_blob;
import dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.rutabaga_debug;
import dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.rutabaga_fence;
import dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.rutabaga_handle;
import dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.rutabaga_iovecs;
import dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.rutabaga_mapping;
import dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.rutabaga_transfer;
import java.lang.reflect.Method;
import java.util.Map;
import org.junit.Test;

/** Struct sizes and field offsets as measured on the real library on x86_64 (the bundle README, "What the real library does"). */
public class RutabagaGfxFfiTest {

    @Test
    public void builderIs48BytesWithCallbacksAt24And32() throws Exception {
        assertLayout(new rutabaga_builder(), 48, Map.of("user_data", 0, "capset_mask", 8, "wsi", 16, "fence_cb", 24,
                "debug_cb", 32, "channels", 40));
    }

    @Test
    public void fenceIs24BytesWithFenceIdAt8() throws Exception {
        assertLayout(new rutabaga_fence(), 24, Map.of("flags", 0, "fence_id", 8, "ctx_id", 16, "ring_idx", 20));
    }

    @Test
    public void create3dIsTenWords() throws Exception {
        assertLayout(new rutabaga_create_3d(), 40, Map.of("target", 0, "format", 4, "bind", 8, "width", 12,
                "height", 16, "depth", 20, "array_size", 24, "last_level", 28, "nr_samples", 32, "flags", 36));
    }

    @Test
    public void transferIsNineWordsThenOffsetAt40() throws Exception {
        assertLayout(new rutabaga_transfer(), 48, Map.of("x", 0, "y", 4, "z", 8, "w", 12, "h", 16, "d", 20,
                "level", 24, "stride", 28, "layer_stride", 32, "offset", 40));
    }

    @Test
    public void commandKeepsItsTrailingFenceFields() throws Exception {
        assertLayout(new rutabaga_command(), 32, Map.of("ctx_id", 0, "cmd_size", 4, "cmd", 8, "num_in_fences", 16,
                "fence_ids", 24));
    }

    @Test
    public void smallStructsAre16or24Bytes() throws Exception {
        assertLayout(new rutabaga_iovecs(), 16, Map.of("iovecs", 0, "num_iovecs", 8));
        assertLayout(new rutabaga_create_blob(), 24, Map.of("blob_mem", 0, "blob_flags", 4, "blob_id", 8, "size", 16));
        assertLayout(new rutabaga_handle(), 16, Map.of("os_handle", 0, "handle_type", 8));
        assertLayout(new rutabaga_mapping(), 16, Map.of("ptr", 0, "size", 8));
        assertLayout(new rutabaga_channel(), 16, Map.of("channel_name", 0, "channel_type", 8));
        assertLayout(new rutabaga_channels(), 16, Map.of("channels", 0, "num_channels", 8));
        assertLayout(new rutabaga_debug(), 16, Map.of("debug_type", 0, "message", 8));
    }

    /** The library writes ring_idx as a byte and leaves the three after it alone. */
    @Test
    public void ringIdxIsReadAsItsLowByte() {
        try (Memory raw = new Memory(24)) {
            raw.clear();
            raw.setInt(0, RutabagaGfxFfi.RUTABAGA_FLAG_FENCE | RutabagaGfxFfi.RUTABAGA_FLAG_INFO_RING_IDX);
            raw.setLong(8, 77);
            raw.setInt(16, 3);
            raw.setInt(20, 0xabcdef00 | 2);
            rutabaga_fence fence = new rutabaga_fence(raw);
            assertEquals(77, fence.fence_id);
            assertEquals(3, fence.ctx_id);
            assertEquals(2, fence.ringIdx());
        }
    }

    private static void assertLayout(Structure s, int size, Map<String, Integer> offsets) throws Exception {
        String name = s.getClass().getSimpleName();
        assertEquals(name + " size", size, s.size());
        Method fieldOffset = Structure.class.getDeclaredMethod("fieldOffset", String.class);
        fieldOffset.setAccessible(true);
        for (Map.Entry<String, Integer> field : offsets.entrySet()) {
            assertEquals(name + "." + field.getKey(), field.getValue(), fieldOffset.invoke(s, field.getKey()));
        }
        assertEquals(name + " field count", offsets.size(),
                s.getClass().getAnnotation(Structure.FieldOrder.class).value().length);
    }
}
