package dev.neep.virtio;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Writes the device-writable part of one descriptor chain as one byte stream. Writing
 * past the end throws {@link ChainException} and writes nothing.
 */
@ProviderType
public interface ChainWriter {

    /** Writable bytes left. */
    long remaining();

    /** Copies all of {@code src.remaining()} bytes into the chain. */
    void write(ByteBuffer src);

    /** Bytes written so far: the {@code len} of the used element. */
    long written();
}
