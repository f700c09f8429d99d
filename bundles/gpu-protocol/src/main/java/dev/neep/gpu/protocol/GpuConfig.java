package dev.neep.gpu.protocol;

import java.nio.ByteBuffer;

/**
 * {@code struct virtio_gpu_config}, 16 bytes: the device configuration space (virtio 1.3
 * §5.7.4). {@code eventsRead} holds pending {@link GpuEvents} bits; the driver writes bits to
 * {@code eventsClear} to acknowledge them.
 */
public record GpuConfig(int eventsRead, int eventsClear, int numScanouts, int numCapsets) {
    public static final int SIZE = 16;
    public static final int OFFSET_EVENTS_READ = 0;
    public static final int OFFSET_EVENTS_CLEAR = 4;
    public static final int OFFSET_NUM_SCANOUTS = 8;
    public static final int OFFSET_NUM_CAPSETS = 12;
    static final String STRUCT = "virtio_gpu_config";

    public static Decoded<GpuConfig> decode(ByteBuffer src) {
        WireReader r = new WireReader(src, STRUCT);
        return r.finish(new GpuConfig(r.u32("events_read"), r.u32("events_clear"), r.u32("num_scanouts"),
                r.u32("num_capsets")));
    }

    public void encode(ByteBuffer dst) {
        new WireWriter(dst, SIZE).u32(eventsRead).u32(eventsClear).u32(numScanouts).u32(numCapsets).done();
    }

    /** The 16 bytes of configuration space, as a transport's readConfig serves them. */
    public byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(SIZE);
        encode(b);
        return b.array();
    }
}
