package dev.neep.testkit;

import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.DecodeError;
import dev.neep.gpu.protocol.Decoded;
import dev.neep.gpu.protocol.Request;
import dev.neep.gpu.protocol.Response;
import dev.neep.gpu.protocol.Responses;
import dev.neep.virtio.driver.UsedElement;

import java.time.Duration;

/**
 * A command placed on a queue and not necessarily answered yet. A fenced command's answer
 * may come only when its fence completes, so several can be outstanding at once.
 */
public final class PendingCommand {
    private final DriverTransport transport;
    private final Request request;
    private final String what;
    private final int queue;
    private final int head;
    private volatile UsedElement used;
    private Decoded<Response> response;

    PendingCommand(DriverTransport transport, Request request, String what, int queue, int head) {
        this.transport = transport;
        this.request = request;
        this.what = what;
        this.queue = queue;
        this.head = head;
    }

    /** The request as sent, or null for bytes sent with {@link GpuDriver#submitRaw}. */
    public Request request() {
        return request;
    }

    /** {@link GpuDriver#CONTROL_QUEUE} or {@link GpuDriver#CURSOR_QUEUE}. */
    public int queue() {
        return queue;
    }

    /** The chain's head descriptor, the id of its used element. */
    public int head() {
        return head;
    }

    public boolean isDone() {
        return used != null;
    }

    void complete(UsedElement element) {
        if (element.written().hasRemaining()) {
            response = Responses.decode(element.written().duplicate());
        }
        used = element;
    }

    /** The decoded answer once the chain is back, or null (not back, no response, undecodable). */
    Response responseOrNull() {
        return response != null && response.isOk() ? response.value() : null;
    }

    /** The {@code len} the device put in the used element (bytes it says it wrote). */
    public long usedLength() {
        awaitUsed(transport.timeout());
        return used.length();
    }

    /** Waits, bounded by the driver's timeout, until the device gives the chain back. */
    public PendingCommand awaitUsed() {
        return awaitUsed(transport.timeout());
    }

    public PendingCommand awaitUsed(Duration timeout) {
        transport.await(this, timeout);
        return this;
    }

    /**
     * Waits for the answer and decodes it.
     *
     * @throws GpuTimeoutException when it does not come within the driver's timeout
     * @throws GpuCommandException when the device wrote no response or one that does not decode
     */
    public Response await() {
        return await(transport.timeout());
    }

    public Response await(Duration timeout) {
        awaitUsed(timeout);
        if (response == null) {
            throw new GpuCommandException(describe(), -1, "the device gave the chain back with no response (len "
                    + used.length() + ")");
        }
        if (!response.isOk()) {
            DecodeError e = response.error();
            throw new GpuCommandException(describe(), -1, "response does not decode: " + e.message());
        }
        return response.value();
    }

    /** What was sent and where, for messages. */
    String describe() {
        return what + " (queue " + queue + ", head " + head + ")";
    }

    @Override
    public String toString() {
        String state = used == null ? "pending"
                : response == null ? "used, len " + used.length()
                : response.isOk() ? CtrlType.name(response.value().hdr().type())
                : "undecodable: " + response.error().message();
        return what + " (queue " + queue + ", head " + head + ", " + state + ")";
    }
}
