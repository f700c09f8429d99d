package dev.neep.vhostuser.gpu.internal;

import dev.neep.gpu.protocol.CtrlHdr;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.DisplayOne;
import dev.neep.gpu.protocol.Rect;
import dev.neep.gpu.protocol.RespDisplayInfo;
import dev.neep.gpu.protocol.RespEdid;
import dev.neep.testkit.TestPattern;
import dev.neep.vhostuser.protocol.MessageHeader;
import dev.neep.vhostuser.sys.Fd;
import dev.neep.vhostuser.sys.UnixSocket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;

/** QEMU's display side of the vhost-user-gpu channel: answers questions, keeps the picture. */
final class FakeDisplay implements Runnable, AutoCloseable {
    private final UnixSocket socket;
    private volatile int displayWidth;
    private volatile int displayHeight;
    /** Offered with the EDID protocol feature and given for every GET_EDID; null: no EDID feature. */
    private final byte[] edid;
    /** Opens before the first answer, as QEMU answers the channel only once it has started the vrings. */
    private final CountDownLatch answering;
    private final Thread thread = new Thread(this, "fake-qemu-display");
    private int width;
    private int[] screen = new int[0];
    /** Per UPDATE of the whole screen, in order: its colour when every pixel had the same, else null. */
    private final List<Integer> wholeUpdates = new ArrayList<>();
    volatile int scanouts;
    private volatile IOException failure;
    private final Object gate = new Object();
    private boolean paused;

    /** Serves the display channel on {@code fd}, with one output of {@code width} x {@code height}. */
    FakeDisplay(Fd fd, int width, int height) {
        this(fd, width, height, null, new CountDownLatch(0));
    }

    /** As above, giving {@code edid} (null: none) and answering nothing before {@code answering} opens. */
    FakeDisplay(Fd fd, int width, int height, byte[] edid, CountDownLatch answering) {
        this.socket = new UnixSocket(fd);
        this.displayWidth = width;
        this.displayHeight = height;
        this.edid = edid;
        this.answering = answering;
        thread.setDaemon(true);
        thread.start();
    }

    /** The display is now {@code width} x {@code height}, as when QEMU's window is resized. */
    void resize(int width, int height) {
        displayWidth = width;
        displayHeight = height;
    }

    @Override
    public void run() {
        List<Fd> fds = new ArrayList<>();
        ByteBuffer header = ByteBuffer.allocateDirect(MessageHeader.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        try {
            while (awaitReading() && socket.receiveFully(header.clear(), fds)) {
                MessageHeader h = MessageHeader.decode(header.flip());
                ByteBuffer p = ByteBuffer.allocateDirect(h.size()).order(ByteOrder.LITTLE_ENDIAN);
                socket.receiveFully(p, fds);
                p.flip();
                switch (h.request()) {
                    case GpuRequest.GET_PROTOCOL_FEATURES:
                        answering.await();
                        reply(h.request(), ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                                .putLong(edid == null ? 0 : 1L << GpuRequest.F_EDID).flip());
                        break;
                    case GpuRequest.GET_EDID: {
                        ByteBuffer answer = ByteBuffer.allocate(RespEdid.SIZE).order(ByteOrder.LITTLE_ENDIAN);
                        RespEdid.of(CtrlHdr.of(CtrlType.RESP_OK_EDID), edid).encode(answer);
                        reply(h.request(), answer.flip());
                        break;
                    }
                    case GpuRequest.GET_DISPLAY_INFO: {
                        ByteBuffer info = ByteBuffer.allocate(RespDisplayInfo.SIZE).order(ByteOrder.LITTLE_ENDIAN);
                        RespDisplayInfo.of(CtrlHdr.of(CtrlType.RESP_OK_DISPLAY_INFO),
                                List.of(new DisplayOne(new Rect(0, 0, displayWidth, displayHeight), 1, 0)))
                                .encode(info);
                        reply(h.request(), info.flip());
                        break;
                    }
                    case GpuRequest.SCANOUT:
                        synchronized (this) {
                            width = p.getInt(4);
                            screen = new int[width * p.getInt(8)];
                            scanouts++;
                        }
                        break;
                    case GpuRequest.UPDATE:
                        synchronized (this) {
                            int x = p.getInt(4);
                            int y = p.getInt(8);
                            int w = p.getInt(12);
                            int rows = p.getInt(16);
                            boolean uniform = true;
                            for (int r = 0; r < rows; r++) {
                                for (int c = 0; c < w; c++) {
                                    int word = p.getInt(20 + (r * w + c) * 4);
                                    screen[(y + r) * width + x + c] = word;
                                    uniform &= word == p.getInt(20);
                                }
                            }
                            if (x == 0 && y == 0 && w == width && rows * width == screen.length) {
                                wholeUpdates.add(uniform ? p.getInt(20) : null);
                            }
                            notifyAll();
                        }
                        break;
                    default:
                        break;
                }
                fds.forEach(Fd::close);
                fds.clear();
            }
        } catch (IOException e) {
            failure = e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops reading the channel, as a front end whose display is busy does: the back end's writes then block. */
    void pause() {
        synchronized (gate) {
            paused = true;
        }
    }

    void resume() {
        synchronized (gate) {
            paused = false;
            gate.notifyAll();
        }
    }

    private boolean awaitReading() {
        synchronized (gate) {
            while (paused) {
                try {
                    gate.wait();
                } catch (InterruptedException e) {
                    return false;
                }
            }
        }
        return true;
    }

    private void reply(int request, ByteBuffer payload) throws IOException {
        ByteBuffer b = ByteBuffer.allocateDirect(MessageHeader.SIZE + payload.remaining())
                .order(ByteOrder.LITTLE_ENDIAN);
        new MessageHeader(request, MessageHeader.REPLY, payload.remaining()).encode(b);
        socket.send(b.put(payload).flip());
    }

    /** Waits until {@code n} more whole-screen UPDATEs than {@code since} arrived; all of them since, in order. */
    synchronized List<Integer> awaitWholeUpdates(int since, int n) throws Exception {
        long end = System.currentTimeMillis() + 10_000;
        while (wholeUpdates.size() < since + n && System.currentTimeMillis() < end) {
            wait(100);
        }
        return new ArrayList<>(wholeUpdates.subList(Math.min(since, wholeUpdates.size()), wholeUpdates.size()));
    }

    synchronized int wholeUpdateCount() {
        return wholeUpdates.size();
    }

    synchronized void awaitPattern(int w, int h) throws Exception {
        awaitScreen(w, h, "the pattern", s -> TestPattern.compare(s, w, w, h));
    }

    /** Waits until the screen is {@code w} x {@code h} and {@code check} finds nothing wrong with it. */
    synchronized void awaitScreen(int w, int h, String what, Function<int[], Optional<String>> check) throws Exception {
        long end = System.currentTimeMillis() + 10_000;
        Optional<String> mismatch = Optional.of("nothing shown");
        while (System.currentTimeMillis() < end) {
            if (screen.length == w * h) {
                mismatch = check.apply(screen);
                if (mismatch.isEmpty()) {
                    return;
                }
            }
            wait(100);
        }
        throw new AssertionError("the front end's display does not show " + what + ": " + mismatch.get()
                + (failure != null ? " (display channel: " + failure.getMessage() + ")" : ""));
    }

    @Override
    public void close() {
        socket.close();
    }
}
