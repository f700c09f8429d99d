package dev.neep.virtio;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Reads the device-readable part of one descriptor chain as one byte stream, hiding
 * its scatter-gather. Every read is bounds-checked against the chain and against
 * guest memory; reading past the end throws {@link ChainException} and consumes
 * nothing.
 */
@ProviderType
public interface ChainReader {

    /** Readable bytes not yet consumed. */
    long remaining();

    /** Copies exactly {@code dst.remaining()} bytes into {@code dst}. */
    void read(ByteBuffer dst);

    /**
     * Reads {@code length} bytes into a new little-endian heap buffer (position 0).
     * Callers check {@code length} against {@link #remaining()} before allocating
     * anything of a guest-chosen size.
     */
    ByteBuffer readBuffer(int length);

    /** Skips {@code length} bytes. */
    void skip(long length);
}
