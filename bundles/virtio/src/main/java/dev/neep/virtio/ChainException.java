package dev.neep.virtio;

/**
 * A chain that breaks virtio 1.2 §2.7: a loop, a nested indirect table, a readable
 * descriptor after a writable one, an address outside guest memory, a read or write
 * past the chain's end. The message names the field and the value.
 */
public final class ChainException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ChainException(String message) {
        super(message);
    }
}
