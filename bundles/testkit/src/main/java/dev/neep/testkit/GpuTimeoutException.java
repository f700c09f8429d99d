package dev.neep.testkit;

/**
 * A bounded wait of the driver ended without what it waited for. The message reports what
 * the driver saw meanwhile: ring indices, interrupts and the last completions.
 */
public class GpuTimeoutException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public GpuTimeoutException(String message) {
        super(message);
    }
}
