package dev.neep.testkit.crossdomain;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * What the host writes to the query ring for {@code GET_IMAGE_REQUIREMENTS} (64 bytes):
 * {@code u32 strides[4], u32 offsets[4], u64 modifier, u64 size, u32 blob_id, u32 map_info,
 * i32 memory_idx, i32 physical_device_idx}. A HOST3D blob created in the context with
 * {@code blob_id} and exactly {@code size} bytes gets memory laid out this way.
 */
public record ImageRequirements(List<Integer> strides, List<Integer> offsets, long modifier, long size, int blobId,
        int mapInfo, int memoryIdx, int physicalDeviceIdx) {

    public static final int SIZE = 64;

    public ImageRequirements {
        strides = List.copyOf(strides);
        offsets = List.copyOf(offsets);
    }

    public static ImageRequirements decode(ByteBuffer source) {
        ByteBuffer b = source.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        List<Integer> strides = new ArrayList<>();
        List<Integer> offsets = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            strides.add(b.getInt());
        }
        for (int i = 0; i < 4; i++) {
            offsets.add(b.getInt());
        }
        return new ImageRequirements(strides, offsets, b.getLong(), b.getLong(), b.getInt(), b.getInt(), b.getInt(),
                b.getInt());
    }
}
