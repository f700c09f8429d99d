package dev.neep.virtio;

/**
 * The host refused to map into or unmap from a {@link SharedMemoryRegion}: a VMM that could not
 * change its guest's address space, a front end that answered no or went away. A host fault,
 * not a guest mistake; a device logs it with this cause and answers its driver with an error.
 */
public class SharedMemoryException extends Exception {
    private static final long serialVersionUID = 1L;

    public SharedMemoryException(String message) {
        super(message);
    }

    public SharedMemoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
