package dev.neep.vhostuser.gpu.internal;

import dev.neep.gpu.protocol.CtrlHdr;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.DisplayOne;
import dev.neep.gpu.protocol.Rect;
import dev.neep.gpu.protocol.RespDisplayInfo;
import dev.neep.gpu.protocol.RespEdid;
import dev.neep.vhostuser.protocol.MessageHeader;
import dev.neep.vhostuser.sys.Fd;
import dev.neep.vhostuser.sys.UnixSocket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * QEMU's display side of the vhost-user-gpu channel at the speed of a memcpy, for
 * {@link DisplayBench}: it answers the back end's questions at any time (QEMU's C back end
 * asks for the display info on every GET_DISPLAY_INFO of its guest), takes each UPDATE's
 * bytes into one reused buffer, as QEMU's front end copies them into its surface, and keeps
 * only what the benchmark needs: how many UPDATEs arrived, how many of them carried the
 * top-left pixel (a picture), and the mark the driver wrote into that pixel.
 */
final class BenchDisplay implements Runnable, AutoCloseable {
    /** The driver writes a frame's number into the low 24 bits of its top-left pixel. */
    static final int MARK_MASK = 0xffffff;

    private final UnixSocket socket;
    private final int displayWidth;
    private final int displayHeight;
    private final Thread thread = new Thread(this, "bench-display");
    private ByteBuffer payload = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
    private long updates;
    private long pictures;
    private int lastMark = -1;
    private long markSeenNanos;
    private IOException failure;

    BenchDisplay(Fd fd, int width, int height) {
        this.socket = new UnixSocket(fd);
        this.displayWidth = width;
        this.displayHeight = height;
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void run() {
        List<Fd> fds = new ArrayList<>();
        ByteBuffer header = ByteBuffer.allocateDirect(MessageHeader.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        try {
            while (socket.receiveFully(header.clear(), fds)) {
                MessageHeader h = MessageHeader.decode(header.flip());
                if (payload.capacity() < h.size()) {
                    payload = ByteBuffer.allocateDirect(h.size()).order(ByteOrder.LITTLE_ENDIAN);
                }
                ByteBuffer p = payload.clear().limit(h.size());
                socket.receiveFully(p, fds);
                p.flip();
                fds.forEach(Fd::close);
                fds.clear();
                switch (h.request()) {
                    // EDID offered, as QEMU does: QEMU's C back end quits when the guest's features
                    // have EDID and the display does not.
                    case GpuRequest.GET_PROTOCOL_FEATURES -> reply(h.request(),
                            ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << GpuRequest.F_EDID));
                    case GpuRequest.GET_EDID -> {
                        ByteBuffer edid = ByteBuffer.allocate(RespEdid.SIZE).order(ByteOrder.LITTLE_ENDIAN);
                        RespEdid.of(CtrlHdr.of(CtrlType.RESP_OK_EDID), new byte[128]).encode(edid);
                        reply(h.request(), edid.flip());
                    }
                    case GpuRequest.GET_DISPLAY_INFO -> {
                        ByteBuffer info = ByteBuffer.allocate(RespDisplayInfo.SIZE).order(ByteOrder.LITTLE_ENDIAN);
                        RespDisplayInfo.of(CtrlHdr.of(CtrlType.RESP_OK_DISPLAY_INFO),
                                List.of(new DisplayOne(new Rect(0, 0, displayWidth, displayHeight), 1, 0)))
                                .encode(info);
                        reply(h.request(), info.flip());
                    }
                    case GpuRequest.UPDATE -> updated(p);
                    default -> {
                    }
                }
            }
        } catch (IOException e) {
            synchronized (this) {
                failure = e;
                notifyAll();
            }
        }
    }

    private synchronized void updated(ByteBuffer p) {
        updates++;
        if (p.getInt(4) == 0 && p.getInt(8) == 0 && p.getInt(12) > 0 && p.getInt(16) > 0) {
            pictures++;
            lastMark = p.getInt(GpuRequest.UPDATE_HEADER_SIZE) & MARK_MASK;
            markSeenNanos = System.nanoTime();
            notifyAll();
        }
    }

    private void reply(int request, ByteBuffer body) throws IOException {
        ByteBuffer b = ByteBuffer.allocateDirect(MessageHeader.SIZE + body.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        new MessageHeader(request, MessageHeader.REPLY, body.remaining()).encode(b);
        socket.send(b.put(body).flip());
    }

    /** UPDATE messages so far. */
    synchronized long updates() {
        return updates;
    }

    /** UPDATEs that carried the top-left pixel: the pictures the front end was shown. */
    synchronized long pictures() {
        return pictures;
    }

    /**
     * Waits until a picture marked {@code mark} arrived and returns {@link System#nanoTime()}
     * of its arrival.
     *
     * @throws IOException when it does not come within {@code timeoutMs} or the channel failed
     */
    synchronized long awaitMark(int mark, long timeoutMs) throws IOException, InterruptedException {
        long end = System.currentTimeMillis() + timeoutMs;
        while (lastMark != mark) {
            long left = end - System.currentTimeMillis();
            if (failure != null) {
                throw new IOException("display channel failed", failure);
            }
            if (left <= 0) {
                throw new IOException("picture " + mark + " not at the front end within " + timeoutMs
                        + " ms (last " + lastMark + ")");
            }
            wait(left);
        }
        return markSeenNanos;
    }

    @Override
    public void close() {
        socket.close();
    }
}
