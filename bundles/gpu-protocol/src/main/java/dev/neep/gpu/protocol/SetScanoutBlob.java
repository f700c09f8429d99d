package dev.neep.gpu.protocol;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@code struct virtio_gpu_set_scanout_blob}, 96 bytes: CMD_SET_SCANOUT_BLOB (feature
 * RESOURCE_BLOB). Shows rectangle {@code r} of a blob resource read as a {@code width} x
 * {@code height} image of {@code format}, plane {@code i} at {@code offsets[i]} with
 * {@code strides[i]} bytes per row.
 */
public record SetScanoutBlob(CtrlHdr hdr, Rect r, int scanoutId, int resourceId, int width, int height,
        int format, List<Integer> strides, List<Integer> offsets) implements Request {
    public static final int SIZE = 96;
    /** Planes described by {@code strides} and {@code offsets}. */
    public static final int PLANES = 4;
    static final String STRUCT = "virtio_gpu_set_scanout_blob";

    public SetScanoutBlob {
        Objects.requireNonNull(hdr, "hdr");
        Objects.requireNonNull(r, "r");
        strides = List.copyOf(strides);
        offsets = List.copyOf(offsets);
        if (strides.size() != PLANES || offsets.size() != PLANES) {
            throw new IllegalArgumentException("strides and offsets have " + PLANES + " entries each");
        }
    }

    public static Decoded<SetScanoutBlob> decode(ByteBuffer src) {
        return WireReader.decode(src, STRUCT, SetScanoutBlob::read);
    }

    static SetScanoutBlob read(WireReader rd) {
        CtrlHdr hdr = rd.hdr();
        Rect r = rd.rect("r.");
        int scanoutId = rd.u32("scanout_id");
        int resourceId = rd.u32("resource_id");
        int width = rd.u32("width");
        int height = rd.u32("height");
        int format = rd.u32("format");
        rd.skip("padding", 4);
        List<Integer> strides = new ArrayList<>(PLANES);
        for (int i = 0; i < PLANES; i++) {
            strides.add(rd.u32("strides[" + i + "]"));
        }
        List<Integer> offsets = new ArrayList<>(PLANES);
        for (int i = 0; i < PLANES; i++) {
            offsets.add(rd.u32("offsets[" + i + "]"));
        }
        return new SetScanoutBlob(hdr, r, scanoutId, resourceId, width, height, format, strides, offsets);
    }

    @Override
    public void encode(ByteBuffer dst) {
        WireWriter w = new WireWriter(dst, SIZE);
        hdr.write(w);
        r.write(w);
        w.u32(scanoutId).u32(resourceId).u32(width).u32(height).u32(format).u32(0);
        strides.forEach(w::u32);
        offsets.forEach(w::u32);
        w.done();
    }
}
