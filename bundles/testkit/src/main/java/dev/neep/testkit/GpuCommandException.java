package dev.neep.testkit;

/**
 * The device answered a command with something other than what the driver needed: an error
 * response where data was expected, a response of the wrong type, no response, or bytes that
 * do not decode.
 */
public class GpuCommandException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int responseType;

    /**
     * @param command      what was sent, for the message (e.g. {@code CMD_GET_EDID (queue 0, head 3)})
     * @param responseType the response's {@code hdr.type}, or -1 when there was no decodable response
     */
    public GpuCommandException(String command, int responseType, String message) {
        super(command + ": " + message);
        this.responseType = responseType;
    }

    /** The response's {@code hdr.type}, or -1 when there was no decodable response. */
    public int responseType() {
        return responseType;
    }
}
