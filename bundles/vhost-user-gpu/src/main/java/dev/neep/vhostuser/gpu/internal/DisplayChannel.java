package dev.neep.vhostuser.gpu.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.neep.gpu.api.CursorImage;
import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.api.Pixels;
import dev.neep.gpu.api.Scanout;
import dev.neep.gpu.api.ScanoutId;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.Decoded;
import dev.neep.gpu.protocol.DisplayOne;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.Rect;
import dev.neep.gpu.protocol.RespDisplayInfo;
import dev.neep.gpu.protocol.RespEdid;
import dev.neep.vhostuser.gpu.DisplayChannelListener;
import dev.neep.vhostuser.protocol.MessageHeader;
import dev.neep.vhostuser.sys.Fd;
import dev.neep.vhostuser.sys.Posix;
import dev.neep.vhostuser.sys.UnixSocket;

/**
 * The vhost-user-gpu display channel (the socket of GPU_SET_SOCKET) as a
 * {@link DisplaySink}: scanouts become SCANOUT messages, dirty rectangles UPDATE messages
 * with their pixels, cursor changes CURSOR_* messages, so the front end's own display
 * (QEMU's screendump, VNC, GTK) shows what the guest drew.
 *
 * <h2>Flow</h2>
 * A thread of the channel first asks the front end for its protocol features, display
 * modes and (with the EDID feature) EDIDs, then tells the {@link DisplayChannelListener}
 * that the sink is up, then writes queued messages until the channel closes. The device's
 * calls never wait for the front end: they copy the dirty pixels into a per-scanout
 * shadow picture and queue (or widen) an update; the writer copies them out when it gets
 * there. A front end slower than the guest therefore gets fewer, larger updates, never
 * stale pixels, and messages keep the order of the calls.
 *
 * <h2>Pixels</h2>
 * The front end reads UPDATE data as {@code PIXMAN_x8r8g8b8} words, tightly packed
 * ({@code width * 4} bytes a row): little-endian ARGB, whatever the resource's format.
 * The shadow holds exactly that, so B8G8R8A8/X8 rows are copied as they are, other formats are
 * converted on the way in, and a full-width update goes out without another copy.
 */
public final class DisplayChannel implements DisplaySink, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DisplayChannel.class);

    static final int REPLY_TIMEOUT_MS = 30_000;
    static final int MAX_REPLY = 4096;
    /** Larger updates are split by rows, so the send buffer stays bounded. */
    static final int MAX_UPDATE_DATA = 16 << 20;
    /** The largest scanout this channel shadows: 16384 x 16384 would be 1 GiB. */
    static final long MAX_SHADOW_PIXELS = 8192L * 8192L;
    static final String PROP_SOURCE = "neep.display.source";
    static final String PROP_SCANOUTS = "neep.display.scanouts";
    static final String PROP_EDID_PREFIX = "neep.display.edid.";

    /** A queued UPDATE; it widens while queued and not yet taken by the writer. */
    private static final class Update {
        final int scanoutId;
        final Shadow shadow;
        int x0;
        int y0;
        int x1;
        int y1;

        Update(int scanoutId, Shadow shadow, int x0, int y0, int x1, int y1) {
            this.scanoutId = scanoutId;
            this.shadow = shadow;
            this.x0 = x0;
            this.y0 = y0;
            this.x1 = x1;
            this.y1 = y1;
        }

        void widen(int ax0, int ay0, int ax1, int ay1) {
            x0 = Math.min(x0, ax0);
            y0 = Math.min(y0, ay0);
            x1 = Math.max(x1, ax1);
            y1 = Math.max(y1, ay1);
        }
    }

    /** A small message encoded when queued. */
    private record Control(int request, int scanoutId, byte[] payload) {
    }

    private final UnixSocket socket;
    /** Wakes the channel thread when something is queued or the channel closes. */
    private final Fd wake;
    private final DisplayChannelListener listener;
    private final Thread thread;
    private final int maxScanouts = RespDisplayInfo.MAX_SCANOUTS;

    // Guarded by this.
    private final ArrayDeque<Object> events = new ArrayDeque<>();
    private final Shadow[] shadows = new Shadow[maxScanouts];
    private final Update[] open = new Update[maxScanouts];
    private final int[] cursorX = new int[maxScanouts];
    private final int[] cursorY = new int[maxScanouts];
    private final boolean[] cursorVisible = new boolean[maxScanouts];
    private final Set<String> logged = new HashSet<>();
    private boolean closed;
    /** The protocol features agreed in the handshake. */
    private final CompletableFuture<Long> protocolFeatures = new CompletableFuture<>();

    // The writer thread's own.
    private ByteBuffer tx = ByteBuffer.allocateDirect(64 << 10).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer rxHeader = ByteBuffer.allocateDirect(MessageHeader.SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer rxPayload = ByteBuffer.allocateDirect(MAX_REPLY).order(ByteOrder.LITTLE_ENDIAN);

    private DisplayChannel(Fd fd, Fd wake, DisplayChannelListener listener) {
        this.socket = new UnixSocket(fd, "vhost-user-gpu display channel");
        this.wake = wake;
        this.listener = listener;
        this.thread = new Thread(this::run, "neep-vhost-user-gpu-display");
        this.thread.setDaemon(true);
    }

    /**
     * Takes over {@code fd} (the GPU_SET_SOCKET descriptor) and starts the channel's thread.
     *
     * @throws IOException when the channel's wake-up eventfd cannot be made ({@code fd} is closed then)
     */
    public static DisplayChannel open(Fd fd, DisplayChannelListener listener) throws IOException {
        Fd wake;
        try {
            wake = Posix.eventFd("display channel wake-up");
        } catch (IOException e) {
            fd.close();
            throw e;
        }
        DisplayChannel channel = new DisplayChannel(fd, wake, listener);
        channel.thread.start();
        return channel;
    }

    // ---- the channel thread ----------------------------------------------------

    private void run() {
        boolean up = false;
        try {
            Map<String, Object> properties = handshake();
            synchronized (this) {
                if (closed) {
                    return;
                }
            }
            listener.channelUp(this, properties);
            up = true;
            writeLoop();
        } catch (IOException e) {
            if (isOpen()) {
                LOG.info("vhost-user-gpu display channel ended: {}", e.getMessage());
            }
        } catch (RuntimeException e) {
            LOG.error("vhost-user-gpu display channel failed", e);
        } finally {
            protocolFeatures.completeExceptionally(new IOException("the display channel ended in its handshake"));
            synchronized (this) {
                closed = true;
                events.forEach(e -> {
                    if (e instanceof Ask a) {
                        a.fail("the display channel ended before the front end was asked");
                    }
                });
                events.clear();
                java.util.Arrays.fill(shadows, null);
                java.util.Arrays.fill(open, null);
            }
            if (up) {
                try {
                    listener.channelDown(this);
                } catch (RuntimeException e) {
                    LOG.error("unregistering the vhost-user-gpu display sink failed", e);
                }
            }
            socket.close();
            wake.close();
        }
    }

    private synchronized boolean isOpen() {
        return !closed;
    }

    private Map<String, Object> handshake() throws IOException {
        ByteBuffer featureReply = request(GpuRequest.GET_PROTOCOL_FEATURES, new byte[0]);
        if (featureReply.remaining() != 8) {
            throw new IOException("protocol features reply of " + featureReply.remaining() + " bytes");
        }
        long features = featureReply.getLong();
        long agreed = features & (1L << GpuRequest.F_EDID);
        send(new Control(GpuRequest.SET_PROTOCOL_FEATURES, 0, GpuRequest.u64(agreed)));
        protocolFeatures.complete(agreed);

        ByteBuffer info = request(GpuRequest.GET_DISPLAY_INFO, new byte[0]);
        Decoded<RespDisplayInfo> decoded = RespDisplayInfo.decode(info);
        if (!decoded.isOk() || decoded.value().hdr().type() != CtrlType.RESP_OK_DISPLAY_INFO) {
            throw new IOException("the front end's display info is unusable: "
                    + (decoded.isOk() ? CtrlType.name(decoded.value().hdr().type()) : decoded.error().message()));
        }
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put(PROP_SOURCE, "vhost-user-gpu");
        List<String> scanouts = new ArrayList<>();
        List<DisplayOne> modes = decoded.value().pmodes();
        for (int i = 0; i < modes.size(); i++) {
            DisplayOne mode = modes.get(i);
            if (!mode.isEnabled()) {
                continue;
            }
            scanouts.add(i + ":" + Integer.toUnsignedString(mode.r().width()) + "x"
                    + Integer.toUnsignedString(mode.r().height()));
            if (agreed != 0) {
                Decoded<RespEdid> edid = RespEdid.decode(request(GpuRequest.GET_EDID, GpuRequest.u32(i)));
                if (edid.isOk() && edid.value().hdr().type() == CtrlType.RESP_OK_EDID) {
                    properties.put(PROP_EDID_PREFIX + i, edid.value().blob());
                }
            }
        }
        properties.put(PROP_SCANOUTS, scanouts.toArray(new String[0]));
        LOG.info("vhost-user-gpu display channel up: front end displays {}, EDID {}", scanouts,
                agreed != 0 ? "offered" : "not offered");
        return properties;
    }

    /** The protocol features agreed with the front end, once the handshake has agreed them. */
    CompletionStage<Long> protocolFeatures() {
        return protocolFeatures;
    }

    /**
     * Asks the front end {@code request} on the device's behalf, after the handshake and in
     * order with what is queued: the stage completes with the reply's payload, or
     * exceptionally when the channel ends first. Never waits for the front end.
     */
    CompletionStage<ByteBuffer> ask(int request, byte[] payload) {
        Ask a = new Ask(request, payload, new CompletableFuture<>());
        synchronized (this) {
            if (closed) {
                a.fail("the display channel is closed");
            } else {
                queue(a);
            }
        }
        return a.reply();
    }

    /** Sends a request and returns its reply's payload (little-endian, position 0). */
    private ByteBuffer request(int request, byte[] payload) throws IOException {
        send(new Control(request, 0, payload));
        if (Posix.pollIn(REPLY_TIMEOUT_MS, socket.fd()) < 0) {
            throw new IOException("no reply to display request " + request + " within " + REPLY_TIMEOUT_MS + " ms");
        }
        List<Fd> fds = new ArrayList<>();
        try {
            rxHeader.clear();
            if (!socket.receiveFully(rxHeader, fds)) {
                throw new IOException("the front end closed the channel");
            }
            MessageHeader h = MessageHeader.decode(rxHeader.flip());
            if (h.request() != request || (h.flags() & MessageHeader.REPLY) == 0
                    || h.size() < 0 || h.size() > MAX_REPLY) {
                throw new IOException("unexpected answer to display request " + request + ": " + h);
            }
            rxPayload.clear().limit(h.size());
            socket.receiveFully(rxPayload, fds);
            ByteBuffer copy = ByteBuffer.allocate(h.size()).order(ByteOrder.LITTLE_ENDIAN);
            copy.put(rxPayload.flip()).flip();
            return copy;
        } finally {
            fds.forEach(Fd::close);
        }
    }

    /**
     * Sends what the device queued, in order. While there is nothing to send it waits for
     * the wake-up eventfd or the socket: the front end sends nothing unasked after the
     * opening questions, so a readable socket means it closed the channel (QEMU does when
     * the guest's driver stops), and the sink is withdrawn at once.
     */
    private void writeLoop() throws IOException {
        while (true) {
            Object event;
            synchronized (this) {
                if (closed) {
                    return;
                }
                event = events.poll();
                if (event instanceof Update u && open[u.scanoutId] == u) {
                    open[u.scanoutId] = null;
                }
            }
            if (event == null) {
                if (Posix.pollIn(-1, socket.fd(), wake) == 0) {
                    discardIncoming();
                } else {
                    Posix.drain(wake);
                }
            } else if (event instanceof Control c) {
                send(c);
            } else if (event instanceof Ask a) {
                a.ask(this::request);
            } else {
                sendUpdate((Update) event);
            }
        }
    }

    /** Reads one unasked message (and drops it), or finds that the front end closed the channel. */
    private void discardIncoming() throws IOException {
        List<Fd> fds = new ArrayList<>();
        try {
            rxHeader.clear();
            if (!socket.receiveFully(rxHeader, fds)) {
                throw new IOException("closed by the front end");
            }
            MessageHeader h = MessageHeader.decode(rxHeader.flip());
            if (h.size() < 0 || h.size() > MAX_REPLY) {
                throw new IOException("unexpected message from the front end: " + h);
            }
            rxPayload.clear().limit(h.size());
            socket.receiveFully(rxPayload, fds);
            LOG.debug("ignored an unasked display channel message {}", h);
        } finally {
            fds.forEach(Fd::close);
        }
    }

    private void send(Control c) throws IOException {
        ByteBuffer b = txBuffer(MessageHeader.SIZE + c.payload.length);
        new MessageHeader(c.request, 0, c.payload.length).encode(b);
        b.put(c.payload).flip();
        socket.send(b);
    }

    /**
     * Sends an update without holding the lock while the bytes go out: pixels the device
     * writes meanwhile may go out early, but each of its writes also queued an update of
     * its own, so what the front end ends up with is always the newest picture.
     */
    private void sendUpdate(Update u) throws IOException {
        Shadow s = u.shadow;
        int width = u.x1 - u.x0;
        int rowBytes = width * 4;
        int rowsPerMessage = Math.max(1, MAX_UPDATE_DATA / rowBytes);
        for (int y = u.y0; y < u.y1; y += rowsPerMessage) {
            int rows = Math.min(rowsPerMessage, u.y1 - y);
            int data = rowBytes * rows;
            boolean contiguous = width == s.width;
            ByteBuffer b = txBuffer(MessageHeader.SIZE + GpuRequest.UPDATE_HEADER_SIZE + (contiguous ? 0 : data));
            new MessageHeader(GpuRequest.UPDATE, 0, GpuRequest.UPDATE_HEADER_SIZE + data).encode(b);
            b.putInt(u.scanoutId).putInt(u.x0).putInt(y).putInt(width).putInt(rows);
            if (contiguous) {
                socket.send(b.flip());
                socket.send(s.pixels.slice(y * rowBytes, data));
            } else {
                for (int row = y; row < y + rows; row++) {
                    b.put(b.position(), s.pixels, (row * s.width + u.x0) * 4, rowBytes);
                    b.position(b.position() + rowBytes);
                }
                socket.send(b.flip());
            }
            if (!isOpen()) {
                return;
            }
        }
    }

    private ByteBuffer txBuffer(int size) {
        if (tx.capacity() < size) {
            tx = ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
        }
        return tx.clear();
    }

    // ---- DisplaySink: the sink's dispatch thread ---------------------------------------

    @Override
    public void scanoutChanged(ScanoutId id, Scanout scanout) {
        int scanoutId = id.scanout();
        if (!validScanout(scanoutId)) {
            return;
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            open[scanoutId] = null;
            if (scanout == null || scanout.width() <= 0 || scanout.height() <= 0) {
                shadows[scanoutId] = null;
                queue(new Control(GpuRequest.SCANOUT, scanoutId, GpuRequest.scanout(scanoutId, 0, 0)));
                return;
            }
            reshadow(scanoutId, scanout.width(), scanout.height());
        }
    }

    /**
     * Makes the shadow of {@code scanoutId} {@code width x height} and queues its SCANOUT,
     * or drops the shadow (nothing queued) when the size is beyond what this channel shows.
     */
    private void reshadow(int scanoutId, int width, int height) {
        Shadow current = shadows[scanoutId];
        if (width <= 0 || height <= 0 || (long) width * height > MAX_SHADOW_PIXELS) {
            logOnce("size", "a scanout of {}x{} cannot be shown on the display channel; ignored", width, height);
            shadows[scanoutId] = null;
            return;
        }
        if (current == null || current.width != width || current.height != height) {
            shadows[scanoutId] = new Shadow(width, height);
        }
        queue(new Control(GpuRequest.SCANOUT, scanoutId, GpuRequest.scanout(scanoutId, width, height)));
    }

    @Override
    public void frameUpdated(ScanoutId id, Rect dirty, Pixels pixels) {
        int scanoutId = id.scanout();
        if (!validScanout(scanoutId)) {
            return;
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            if (!Formats.isSupported2d(pixels.format())) {
                logOnce("format", "frames in format {} cannot be shown on the display channel", pixels.format());
                return;
            }
            Shadow shadow = shadows[scanoutId];
            if (shadow == null || shadow.width != pixels.width() || shadow.height != pixels.height()) {
                // No (or another) SCANOUT for this picture yet: announce its size first.
                open[scanoutId] = null;
                reshadow(scanoutId, pixels.width(), pixels.height());
                shadow = shadows[scanoutId];
                if (shadow == null) {
                    return;
                }
            }
            int x0 = (int) Math.max(0, dirty.x());
            int y0 = (int) Math.max(0, dirty.y());
            int x1 = (int) Math.min(shadow.width, (long) dirty.x() + dirty.width());
            int y1 = (int) Math.min(shadow.height, (long) dirty.y() + dirty.height());
            if (x1 <= x0 || y1 <= y0) {
                return;
            }
            try {
                Shadow into = shadow;
                // A read that is not whole is sent anyway: the newer update on its way mends it.
                pixels.read(f -> into.copyIn(f, x0, y0, x1, y1));
            } catch (RuntimeException e) {
                logOnce("frame", "a frame's pixels do not match its geometry ({}); update dropped", e.toString());
                return;
            }
            Update u = open[scanoutId];
            if (u != null && u.shadow == shadow) {
                u.widen(x0, y0, x1, y1);
            } else {
                u = new Update(scanoutId, shadow, x0, y0, x1, y1);
                open[scanoutId] = u;
                queue(u);
            }
        }
    }

    @Override
    public void cursorDefined(ScanoutId id, CursorImage cursor) {
        int scanoutId = id.scanout();
        if (!validScanout(scanoutId)) {
            return;
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            if (cursor == null) {
                cursorVisible[scanoutId] = false;
                queue(new Control(GpuRequest.CURSOR_POS_HIDE, scanoutId, cursorPos(scanoutId)));
                return;
            }
            cursorVisible[scanoutId] = true;
            queue(new Control(GpuRequest.CURSOR_UPDATE, scanoutId,
                    GpuRequest.cursorUpdate(cursorPos(scanoutId), cursor)));
        }
    }

    @Override
    public void cursorMoved(ScanoutId id, int x, int y) {
        int scanoutId = id.scanout();
        if (!validScanout(scanoutId)) {
            return;
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            cursorX[scanoutId] = x;
            cursorY[scanoutId] = y;
            int request = cursorVisible[scanoutId] ? GpuRequest.CURSOR_POS : GpuRequest.CURSOR_POS_HIDE;
            // A move that has not gone out yet is superseded by this one.
            if (events.peekLast() instanceof Control last && last.scanoutId == scanoutId
                    && (last.request == GpuRequest.CURSOR_POS || last.request == GpuRequest.CURSOR_POS_HIDE)) {
                events.pollLast();
            }
            queue(new Control(request, scanoutId, cursorPos(scanoutId)));
        }
    }

    private void queue(Object event) {
        boolean idle = events.isEmpty();
        events.add(event);
        if (idle) {
            wakeChannelThread();
        }
    }

    private void wakeChannelThread() {
        try {
            Posix.signal(wake);
        } catch (IOException e) {
            logOnce("wake", "cannot wake the display channel thread: {}", e.getMessage());
        }
    }

    private boolean validScanout(int scanoutId) {
        if (scanoutId >= 0 && scanoutId < maxScanouts) {
            return true;
        }
        synchronized (this) {
            logOnce("scanout", "scanout id {} is out of range; ignored", scanoutId);
        }
        return false;
    }

    private void logOnce(String key, String format, Object... args) {
        if (logged.add(key)) {
            LOG.warn(format, args);
        }
    }

    /** VhostUserGpuCursorPos of {@code scanoutId} where the cursor last moved. */
    private byte[] cursorPos(int scanoutId) {
        return GpuRequest.cursorPos(scanoutId, cursorX[scanoutId], cursorY[scanoutId]);
    }

    // ---- lifecycle ---------------------------------------------------------------

    /** Ends the channel: the writer stops, the sink is withdrawn, the socket closed. */
    @Override
    public void close() {
        synchronized (this) {
            if (!closed) {
                closed = true;
                wakeChannelThread();
            }
        }
        socket.shutdown();
        if (Thread.currentThread() != thread) {
            try {
                thread.join(10_000);
                if (thread.isAlive()) {
                    LOG.error("the vhost-user-gpu display channel thread did not end within 10 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
