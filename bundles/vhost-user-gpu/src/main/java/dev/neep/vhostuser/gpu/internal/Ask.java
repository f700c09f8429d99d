package dev.neep.vhostuser.gpu.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * A question for the front end queued on the display channel (GET_DISPLAY_INFO, GET_EDID on
 * the guest's behalf): the channel's thread asks it in order with the messages queued before
 * it, and {@code reply} completes with the reply's payload, or exceptionally when the channel
 * ends first.
 */
record Ask(int request, byte[] payload, CompletableFuture<ByteBuffer> reply) {

    /** How the channel's thread sends a request and reads its reply. */
    @FunctionalInterface
    interface Exchange {
        ByteBuffer request(int request, byte[] payload) throws IOException;
    }

    /** Asks it through {@code exchange}; an I/O failure fails the question and is thrown on: the channel is gone. */
    void ask(Exchange exchange) throws IOException {
        try {
            reply.complete(exchange.request(request, payload));
        } catch (IOException e) {
            reply.completeExceptionally(e);
            throw e;
        }
    }

    void fail(String why) {
        reply.completeExceptionally(new IOException(why));
    }
}
