package dev.neep.gpu.api;

/**
 * A backend could not carry out a call. {@code responseType} is the
 * VIRTIO_GPU_RESP_ERR_* the device answers the guest with; the message says why, for the
 * host log (a native return code, the setting and value that is wrong).
 */
public final class GpuBackendException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int responseType;

    public GpuBackendException(int responseType, String message) {
        super(message);
        this.responseType = responseType;
    }

    public GpuBackendException(int responseType, String message, Throwable cause) {
        super(message, cause);
        this.responseType = responseType;
    }

    public int responseType() {
        return responseType;
    }
}
