package dev.neep.gpu.device.internal;

import java.nio.ByteBuffer;
import java.util.List;

/** Views of guest memory backing a resource and their total length, or the answer refusing them. */
record Backing(List<ByteBuffer> views, long length, Reply refused) {
    static final Backing NONE = new Backing(List.of(), 0, null);

    static Backing refusing(Reply answer) {
        return new Backing(List.of(), 0, answer);
    }
}
