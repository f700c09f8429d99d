package dev.neep.gpu.protocol;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * {@code struct virtio_gpu_mem_entry}: one run of guest pages backing a resource. The
 * entries follow ATTACH_BACKING and CREATE_BLOB, {@code nr_entries} of them.
 */
public record MemEntry(long addr, int length) {
    public static final int SIZE = 16;
    static final String STRUCT = "virtio_gpu_mem_entry";

    /** {@code length} as the unsigned value it is on the wire. */
    public long lengthUnsigned() {
        return Integer.toUnsignedLong(length);
    }

    public static Decoded<MemEntry> decode(ByteBuffer src) {
        WireReader r = new WireReader(src, STRUCT);
        return r.finish(read(r, ""));
    }

    /**
     * Decodes the {@code nrEntries} (u32) entries at the source's position. Before anything
     * is allocated the whole array's byte size is checked against what the buffer holds, so a
     * guest's huge count costs nothing; callers still cap the count to their own limit first.
     * On success the position moves past the entries; on error it is left where it was.
     */
    public static Decoded<List<MemEntry>> decodeAll(ByteBuffer src, int nrEntries) {
        long count = Integer.toUnsignedLong(nrEntries);
        long needed = count * SIZE;   // < 2^36: cannot overflow a long
        if (needed > src.remaining()) {
            long firstShort = src.remaining() / SIZE;
            return Decoded.failed(DecodeError.truncated(STRUCT + "[" + count + "]",
                    "entries[" + firstShort + "]", src.remaining(), needed));
        }
        List<MemEntry> entries = new ArrayList<>((int) count);
        WireReader r = new WireReader(src, STRUCT);
        for (int i = 0; i < count; i++) {
            entries.add(read(r, ""));
        }
        return r.finish(Collections.unmodifiableList(entries));
    }

    /** Writes {@code entries} one after another at the target's position. */
    public static void encodeAll(List<MemEntry> entries, ByteBuffer dst) {
        WireWriter w = new WireWriter(dst, Math.multiplyExact(entries.size(), SIZE));
        for (MemEntry e : entries) {
            e.write(w);
        }
        w.done();
    }

    public void encode(ByteBuffer dst) {
        WireWriter w = new WireWriter(dst, SIZE);
        write(w);
        w.done();
    }

    static MemEntry read(WireReader r, String prefix) {
        MemEntry e = new MemEntry(r.u64(prefix, "addr"), r.u32(prefix, "length"));
        r.skip(prefix, "padding", 4);
        return e;
    }

    void write(WireWriter w) {
        w.u64(addr).u32(length).u32(0);
    }
}
