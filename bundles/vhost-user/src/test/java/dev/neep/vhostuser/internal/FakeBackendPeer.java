package dev.neep.vhostuser.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.neep.vhostuser.protocol.MessageHeader;
import dev.neep.vhostuser.protocol.MmapRequest;
import dev.neep.vhostuser.sys.Fd;
import dev.neep.vhostuser.sys.Posix;
import dev.neep.vhostuser.sys.UnixSocket;

/**
 * The front end's end of a back-end request channel, scripted by a test: it reads one request
 * on a thread of its own and answers it (or does not).
 */
final class FakeBackendPeer implements AutoCloseable {

    /** One request as the front end received it. */
    record Received(MessageHeader header, MmapRequest request, List<Fd> fds) {
    }

    final BackendRequests backend;
    final UnixSocket peer;

    FakeBackendPeer(int replyTimeoutMs) throws IOException {
        Fd[] pair = Posix.socketPair("back-end channel");
        backend = new BackendRequests(replyTimeoutMs);
        backend.open(pair[0]);
        peer = new UnixSocket(pair[1], "test front end's channel");
    }

    /** Reads the next request and, unless {@code status} is null, answers it with {@code status}. */
    CompletableFuture<Received> answerNext(Long status) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                Received r = receive();
                if (status != null) {
                    reply(r.header().request(), status);
                }
                return r;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    Received receive() throws IOException {
        List<Fd> fds = new ArrayList<>();
        ByteBuffer header = ByteBuffer.allocateDirect(MessageHeader.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        if (!peer.receiveFully(header, fds, 5000)) {
            throw new IOException("channel closed");
        }
        MessageHeader h = MessageHeader.decode(header.flip());
        ByteBuffer payload = ByteBuffer.allocateDirect(h.size()).order(ByteOrder.LITTLE_ENDIAN);
        peer.receiveFully(payload, fds, 5000);
        return new Received(h, h.size() == MmapRequest.SIZE ? MmapRequest.decode(payload.flip()) : null, fds);
    }

    void reply(int request, long status) throws IOException {
        ByteBuffer b = ByteBuffer.allocateDirect(MessageHeader.SIZE + 8).order(ByteOrder.LITTLE_ENDIAN);
        new MessageHeader(request, MessageHeader.VERSION | MessageHeader.REPLY, 8).encode(b);
        b.putLong(status).flip();
        peer.send(b);
    }

    /** True when nothing was sent to the front end. */
    boolean nothingSent() throws IOException {
        return Posix.pollIn(0, peer.fd()) < 0;
    }

    static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        backend.close();
        peer.close();
    }
}
