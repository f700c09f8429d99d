package dev.neep.gpu.protocol;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@code struct virtio_gpu_resp_display_info}, 408 bytes: RESP_OK_DISPLAY_INFO, one
 * {@link DisplayOne} for each of the {@value #MAX_SCANOUTS} possible scanouts.
 */
public record RespDisplayInfo(CtrlHdr hdr, List<DisplayOne> pmodes) implements Response {
    public static final int SIZE = 408;
    /** VIRTIO_GPU_MAX_SCANOUTS. */
    public static final int MAX_SCANOUTS = 16;
    static final String STRUCT = "virtio_gpu_resp_display_info";

    public RespDisplayInfo {
        Objects.requireNonNull(hdr, "hdr");
        pmodes = List.copyOf(pmodes);
        if (pmodes.size() != MAX_SCANOUTS) {
            throw new IllegalArgumentException("pmodes must have " + MAX_SCANOUTS + " entries, not " + pmodes.size());
        }
    }

    /** Pads {@code enabled} (at most 16, scanout order) with disabled entries. */
    public static RespDisplayInfo of(CtrlHdr hdr, List<DisplayOne> enabled) {
        if (enabled.size() > MAX_SCANOUTS) {
            throw new IllegalArgumentException("at most " + MAX_SCANOUTS + " scanouts, not " + enabled.size());
        }
        List<DisplayOne> all = new ArrayList<>(enabled);
        while (all.size() < MAX_SCANOUTS) {
            all.add(DisplayOne.DISABLED);
        }
        return new RespDisplayInfo(hdr, all);
    }

    public static Decoded<RespDisplayInfo> decode(ByteBuffer src) {
        WireReader r = new WireReader(src, STRUCT);
        CtrlHdr hdr = r.hdr();
        List<DisplayOne> modes = new ArrayList<>(MAX_SCANOUTS);
        for (int i = 0; i < MAX_SCANOUTS; i++) {
            modes.add(DisplayOne.read(r, "pmodes[" + i + "]."));
        }
        return r.finish(new RespDisplayInfo(hdr, modes));
    }

    @Override
    public int encodedSize() {
        return SIZE;
    }

    @Override
    public void encode(ByteBuffer dst) {
        WireWriter w = new WireWriter(dst, SIZE);
        hdr.write(w);
        for (DisplayOne mode : pmodes) {
            mode.write(w);
        }
        w.done();
    }
}
