package dev.neep.virtio.driver;

import java.nio.ByteBuffer;

/**
 * One entry of the used ring: the head {@code id} of the chain given back and the
 * {@code length} the device says it wrote. {@code written} holds those bytes for a
 * chain added with {@code DriverQueue.submit}; it is empty for chains whose buffers the
 * caller owns (read them from guest memory directly).
 */
public record UsedElement(int id, long length, ByteBuffer written) {
}
