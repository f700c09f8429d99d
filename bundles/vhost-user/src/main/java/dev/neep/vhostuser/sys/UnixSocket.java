package dev.neep.vhostuser.sys;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.List;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * A connected AF_UNIX stream socket that carries descriptors (SCM_RIGHTS) beside its
 * bytes. One thread receives; any number of threads send, one whole buffer at a time.
 * Every received descriptor is returned as an owned {@link Fd} (close-on-exec), also when
 * the receive then fails, so the caller can close it on every path.
 */
public final class UnixSocket implements AutoCloseable {

    /** Most descriptors one message may carry; more is a protocol error (vhost-user sends at most 8). */
    public static final int MAX_FDS = 16;

    private final Fd fd;
    private final String name;
    private final Memory rxMsg = new Memory(Posix.SIZEOF_MSGHDR);
    private final Memory rxIov = new Memory(Posix.SIZEOF_IOVEC);
    private final Memory rxControl = new Memory(Posix.cmsgSpace(MAX_FDS));
    private final Object txLock = new Object();
    private final Memory txMsg = new Memory(Posix.SIZEOF_MSGHDR);
    private final Memory txIov = new Memory(Posix.SIZEOF_IOVEC);
    /** The two iovecs of {@link #send(ByteBuffer, ByteBuffer)}. */
    private final Memory txPair = new Memory(2L * Posix.SIZEOF_IOVEC);
    private final Memory txControl = new Memory(Posix.cmsgSpace(MAX_FDS));

    public UnixSocket(Fd fd) {
        this(fd, fd.what());
    }

    /** {@code name} says what the socket is in error messages. */
    public UnixSocket(Fd fd, String name) {
        this.fd = fd;
        this.name = name;
    }

    public Fd fd() {
        return fd;
    }

    /**
     * Receives exactly {@code dst.remaining()} bytes into the direct buffer {@code dst},
     * advancing it, and appends descriptors that came with them to {@code fdsOut}.
     *
     * @return false when the peer closed the connection before the first byte
     * @throws EOFException when it closed in the middle
     */
    public boolean receiveFully(ByteBuffer dst, List<Fd> fdsOut) throws IOException {
        return receiveFully(dst, fdsOut, -1);
    }

    /**
     * {@link #receiveFully(ByteBuffer, List)} that waits at most {@code timeoutMs} in all
     * (negative: no limit), so that a peer that stops in the middle cannot hold the caller.
     *
     * @throws SocketTimeoutException when the bytes did not all come in time
     */
    public boolean receiveFully(ByteBuffer dst, List<Fd> fdsOut, int timeoutMs) throws IOException {
        if (!dst.isDirect()) {
            throw new IllegalArgumentException("receive buffer must be direct");
        }
        Pointer base = Native.getDirectBufferPointer(dst);
        int start = dst.position();
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (dst.hasRemaining()) {
            if (timeoutMs >= 0) {
                int left = (int) Math.max(0, (deadline - System.nanoTime()) / 1_000_000L);
                if (Posix.pollIn(left, fd) < 0) {
                    throw new SocketTimeoutException("no answer on the " + name + " within " + timeoutMs + " ms ("
                            + (dst.position() - start) + " of " + (dst.limit() - start) + " bytes came)");
                }
            }
            long n = receiveOnce(base.share(dst.position()), dst.remaining(), fdsOut);
            if (n == 0) {
                if (dst.position() == start) {
                    return false;
                }
                throw new EOFException("connection closed after " + (dst.position() - start)
                        + " of " + (dst.limit() - start) + " bytes");
            }
            dst.position(dst.position() + (int) n);
        }
        return true;
    }

    private long receiveOnce(Pointer buf, long len, List<Fd> fdsOut) throws IOException {
        rxIov.setPointer(0, buf);
        rxIov.setLong(8, len);
        rxMsg.clear();
        rxMsg.setPointer(Posix.MSGHDR_IOV, rxIov);
        rxMsg.setLong(Posix.MSGHDR_IOVLEN, 1);
        rxMsg.setPointer(Posix.MSGHDR_CONTROL, rxControl);
        rxMsg.setLong(Posix.MSGHDR_CONTROLLEN, rxControl.size());
        int sock = fd.acquire();
        try {
            long n;
            while (true) {
                try {
                    n = HotCalls.recvmsg(sock, rxMsg, LibC.MSG_CMSG_CLOEXEC);
                    break;
                } catch (LastErrorException e) {
                    if (e.getErrorCode() != LibC.EINTR) {
                        throw Posix.failure("recvmsg " + name, e);
                    }
                }
            }
            collectDescriptors(fdsOut);
            if ((rxMsg.getInt(Posix.MSGHDR_FLAGS) & LibC.MSG_CTRUNC) != 0) {
                throw new IOException("more than " + MAX_FDS + " descriptors in one message: extra ones were dropped");
            }
            return n;
        } finally {
            fd.release();
        }
    }

    private void collectDescriptors(List<Fd> fdsOut) {
        long controlLen = rxMsg.getLong(Posix.MSGHDR_CONTROLLEN);
        long at = 0;
        while (at + Posix.CMSG_HDR <= controlLen) {
            long len = rxControl.getLong(at);
            if (len < Posix.CMSG_HDR || at + len > controlLen) {
                break;
            }
            if (rxControl.getInt(at + Posix.CMSG_LEVEL) == LibC.SOL_SOCKET
                    && rxControl.getInt(at + Posix.CMSG_TYPE) == LibC.SCM_RIGHTS) {
                int count = (int) ((len - Posix.CMSG_HDR) / 4);
                for (int i = 0; i < count; i++) {
                    fdsOut.add(Fd.adopt(rxControl.getInt(at + Posix.CMSG_HDR + 4L * i), "received descriptor"));
                }
            }
            at += Posix.cmsgAlign(len);
        }
    }

    /**
     * Sends all of the direct buffer {@code src} (advancing it), with {@code fds} attached
     * to its first byte. Never raises SIGPIPE: a closed peer is an {@link IOException}.
     */
    public void send(ByteBuffer src, Fd... fds) throws IOException {
        if (!src.isDirect()) {
            throw new IllegalArgumentException("send buffer must be direct");
        }
        if (fds.length > MAX_FDS) {
            throw new IllegalArgumentException(fds.length + " descriptors");
        }
        Pointer base = Native.getDirectBufferPointer(src);
        synchronized (txLock) {
            int sock = fd.acquire();
            int held = 0;
            try {
                txMsg.clear();
                if (fds.length > 0) {
                    txControl.clear();
                    long len = Posix.CMSG_HDR + 4L * fds.length;
                    txControl.setLong(0, len);
                    txControl.setInt(Posix.CMSG_LEVEL, LibC.SOL_SOCKET);
                    txControl.setInt(Posix.CMSG_TYPE, LibC.SCM_RIGHTS);
                    for (Fd f : fds) {
                        txControl.setInt(Posix.CMSG_HDR + 4L * held, f.acquire());
                        held++;
                    }
                    txMsg.setPointer(Posix.MSGHDR_CONTROL, txControl);
                    txMsg.setLong(Posix.MSGHDR_CONTROLLEN, Posix.cmsgSpace(fds.length));
                }
                do {
                    txIov.setPointer(0, base.share(src.position()));
                    txIov.setLong(8, src.remaining());
                    txMsg.setPointer(Posix.MSGHDR_IOV, txIov);
                    txMsg.setLong(Posix.MSGHDR_IOVLEN, 1);
                    long n = sendmsg(sock);
                    src.position(src.position() + (int) n);
                    // Descriptors travel with the first bytes only.
                    txMsg.setPointer(Posix.MSGHDR_CONTROL, null);
                    txMsg.setLong(Posix.MSGHDR_CONTROLLEN, 0);
                } while (src.hasRemaining());
            } finally {
                for (int i = 0; i < held; i++) {
                    fds[i].release();
                }
                fd.release();
            }
        }
    }

    /**
     * Sends all of {@code head} then all of {@code body} (direct buffers, both advanced) as one
     * gathering write: a message's header from one buffer, its payload straight from where it
     * lies, with no copy into a send buffer. Never raises SIGPIPE.
     */
    public void send(ByteBuffer head, ByteBuffer body) throws IOException {
        if (!head.isDirect() || !body.isDirect()) {
            throw new IllegalArgumentException("send buffers must be direct");
        }
        Pointer headBase = Native.getDirectBufferPointer(head);
        Pointer bodyBase = Native.getDirectBufferPointer(body);
        synchronized (txLock) {
            int sock = fd.acquire();
            try {
                txMsg.clear();
                while (head.hasRemaining() || body.hasRemaining()) {
                    int n = 0;
                    if (head.hasRemaining()) {
                        txPair.setPointer(0, headBase.share(head.position()));
                        txPair.setLong(8, head.remaining());
                        n++;
                    }
                    txPair.setPointer(n * (long) Posix.SIZEOF_IOVEC, bodyBase.share(body.position()));
                    txPair.setLong(n * (long) Posix.SIZEOF_IOVEC + 8, body.remaining());
                    txMsg.setPointer(Posix.MSGHDR_IOV, txPair);
                    txMsg.setLong(Posix.MSGHDR_IOVLEN, n + 1);
                    long sent = sendmsg(sock);
                    int fromHead = (int) Math.min(sent, head.remaining());
                    head.position(head.position() + fromHead);
                    body.position(body.position() + (int) (sent - fromHead));
                }
            } finally {
                fd.release();
            }
        }
    }

    /** One sendmsg of {@link #txMsg}, again when a signal interrupted it; the bytes it sent. */
    private long sendmsg(int sock) throws IOException {
        while (true) {
            try {
                return HotCalls.sendmsg(sock, txMsg, LibC.MSG_NOSIGNAL);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != LibC.EINTR) {
                    throw Posix.failure("sendmsg " + name, e);
                }
            }
        }
    }

    /** Wakes a thread blocked receiving: it then sees end of file. */
    public void shutdown() {
        fd.shutdown();
    }

    @Override
    public void close() {
        fd.close();
    }
}
