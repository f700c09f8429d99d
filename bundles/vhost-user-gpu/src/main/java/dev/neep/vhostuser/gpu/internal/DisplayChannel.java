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
 * that the sink is up, then watches the socket until the front end or {@link #close} ends
 * the channel. The sink's calls come from the device's dispatcher for this sink, never from
 * the device's command thread, and write their messages to the socket themselves, in the
 * order of the calls: while the front end reads slowly they block, and the device folds
 * what happens meanwhile into fewer, larger updates (the display contract), so every flushed
 * picture goes out while the front end keeps up, and the last one always does.
 *
 * <h2>Pixels</h2>
 * A held picture ({@link Pixels#held}) whose rows already are the front end's x8r8g8b8, whole
 * rows of a tightly packed resource, goes to the socket straight from the resource, header and
 * pixels in one gathering write: no copy on this side. Any other update's pixels are read
 * through {@link Pixels#read} into the send buffer, laid out as the messages go out
 * ({@link UpdateWriter}): one copy, converted in the same pass where the format needs it. A read
 * of live pixels torn by the device leaves its rectangle for the next update of that scanout,
 * which the contract says is on its way.
 */
public final class DisplayChannel implements DisplaySink, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DisplayChannel.class);

    static final int REPLY_TIMEOUT_MS = 30_000;
    static final int MAX_REPLY = 4096;
    /** Larger updates are split in bands of rows, each its own UPDATE, so the send buffer stays bounded. */
    static final int MAX_UPDATE_DATA = 16 << 20;
    /** The largest scanout this channel shows: 16384 x 16384 would be 1 GiB of UPDATE data. */
    static final long MAX_SCANOUT_PIXELS = 8192L * 8192L;
    static final String PROP_SOURCE = "neep.display.source";
    static final String PROP_SCANOUTS = "neep.display.scanouts";
    static final String PROP_EDID_PREFIX = "neep.display.edid.";

    /** A small message, encoded when made. */
    private record Control(int request, int scanoutId, byte[] payload) {
    }

    private final UnixSocket socket;
    /** Wakes the channel thread when the channel closes. */
    private final Fd wake;
    private final DisplayChannelListener listener;
    private final Thread thread;
    private final int maxScanouts = RespDisplayInfo.MAX_SCANOUTS;

    // Guarded by this: the sink's calls run one at a time.
    private final int[] shownWidth = new int[maxScanouts];
    private final int[] shownHeight = new int[maxScanouts];
    /** Per scanout, the rectangle {x0, y0, x1, y1} a torn read left unsent; null when none. */
    private final int[][] unsent = new int[maxScanouts][];
    private final int[] cursorX = new int[maxScanouts];
    private final int[] cursorY = new int[maxScanouts];
    private final boolean[] cursorVisible = new boolean[maxScanouts];
    private final UpdateWriter updates = new UpdateWriter(MAX_UPDATE_DATA);
    private final ByteBuffer sinkTx = ByteBuffer.allocateDirect(64 << 10).order(ByteOrder.LITTLE_ENDIAN);
    private final Set<String> logged = new HashSet<>();
    private volatile boolean closed;
    /** The protocol features agreed in the handshake. */
    private final CompletableFuture<Long> protocolFeatures = new CompletableFuture<>();
    /** Questions for the front end waiting for the channel thread, in order. Guarded by this. */
    private final ArrayDeque<Ask> asks = new ArrayDeque<>();

    // The channel thread's own.
    private final ByteBuffer tx = ByteBuffer.allocateDirect(MAX_REPLY).order(ByteOrder.LITTLE_ENDIAN);
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
            if (closed) {
                return;
            }
            listener.channelUp(this, properties);
            up = true;
            watch();
        } catch (IOException e) {
            if (!closed) {
                LOG.info("vhost-user-gpu display channel ended: {}", e.getMessage());
            }
        } catch (RuntimeException e) {
            LOG.error("vhost-user-gpu display channel failed", e);
        } finally {
            protocolFeatures.completeExceptionally(new IOException("the display channel ended in its handshake"));
            closed = true;
            synchronized (this) {
                asks.forEach(a -> a.fail("the display channel ended before the front end was asked"));
                asks.clear();
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

    private Map<String, Object> handshake() throws IOException {
        ByteBuffer featureReply = request(GpuRequest.GET_PROTOCOL_FEATURES, new byte[0]);
        if (featureReply.remaining() != 8) {
            throw new IOException("protocol features reply of " + featureReply.remaining() + " bytes");
        }
        long features = featureReply.getLong();
        long agreed = features & (1L << GpuRequest.F_EDID);
        send(tx, new Control(GpuRequest.SET_PROTOCOL_FEATURES, 0, GpuRequest.u64(agreed)));
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
                asks.add(a);
            }
        }
        wakeChannelThread();
        return a.reply();
    }

    /** Sends a request and returns its reply's payload (little-endian, position 0). */
    private ByteBuffer request(int request, byte[] payload) throws IOException {
        synchronized (this) {
            // The sink's calls write to the socket too; a request must not land inside an update.
            send(tx, new Control(request, 0, payload));
        }
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
     * Asks the device's questions ({@link #ask}) one at a time, in order, reading each reply
     * here; otherwise waits for the wake-up eventfd or the socket: the front end sends nothing
     * unasked, so a readable socket means it closed the channel (QEMU does when the guest's
     * driver stops), and the sink is withdrawn at once.
     */
    private void watch() throws IOException {
        while (!closed) {
            Ask next;
            synchronized (this) {
                next = asks.poll();
            }
            if (next != null) {
                next.ask(this::request);
            } else if (Posix.pollIn(-1, socket.fd(), wake) == 0) {
                discardIncoming();
            } else {
                Posix.drain(wake);
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

    private void send(ByteBuffer b, Control c) throws IOException {
        b.clear();
        new MessageHeader(c.request, 0, c.payload.length).encode(b);
        b.put(c.payload).flip();
        socket.send(b);
    }

    // ---- DisplaySink: the device's dispatcher for this sink ---------------------------

    @Override
    public synchronized void scanoutChanged(ScanoutId id, Scanout scanout) {
        int s = id.scanout();
        if (closed || !validScanout(s)) {
            return;
        }
        unsent[s] = null;
        if (scanout == null || scanout.width() <= 0 || scanout.height() <= 0) {
            shownWidth[s] = 0;
            shownHeight[s] = 0;
            sinkSend(new Control(GpuRequest.SCANOUT, s, GpuRequest.scanout(s, 0, 0)));
            return;
        }
        announce(s, scanout.width(), scanout.height());
    }

    /** Sends the SCANOUT of a {@code width x height} picture; false when it is beyond what this channel shows. */
    private boolean announce(int s, int width, int height) {
        if ((long) width * height > MAX_SCANOUT_PIXELS) {
            logOnce("size", "a scanout of {}x{} cannot be shown on the display channel; ignored", width, height);
            shownWidth[s] = 0;
            shownHeight[s] = 0;
            return false;
        }
        shownWidth[s] = width;
        shownHeight[s] = height;
        sinkSend(new Control(GpuRequest.SCANOUT, s, GpuRequest.scanout(s, width, height)));
        return true;
    }

    @Override
    public synchronized void frameUpdated(ScanoutId id, Rect dirty, Pixels pixels) {
        int s = id.scanout();
        if (closed || !validScanout(s)) {
            return;
        }
        if (!Formats.isSupported2d(pixels.format())) {
            logOnce("format", "frames in format {} cannot be shown on the display channel", pixels.format());
            return;
        }
        int width = pixels.width();
        int height = pixels.height();
        if (shownWidth[s] != width || shownHeight[s] != height) {
            // No (or another) SCANOUT for this picture yet: announce its size first.
            unsent[s] = null;
            if (!announce(s, width, height)) {
                return;
            }
        }
        int x0 = (int) Math.max(0, dirty.x());
        int y0 = (int) Math.max(0, dirty.y());
        int x1 = (int) Math.min(width, (long) dirty.x() + dirty.width());
        int y1 = (int) Math.min(height, (long) dirty.y() + dirty.height());
        int[] left = unsent[s];
        if (left != null) {
            x0 = Math.min(x0, left[0]);
            y0 = Math.min(y0, left[1]);
            x1 = Math.max(x1, left[2]);
            y1 = Math.max(y1, left[3]);
        }
        if (x1 <= x0 || y1 <= y0) {
            return;
        }
        // One band of rows at a time, each read and sent on its own, so the send buffer stays
        // within one message; a read torn in the middle leaves the rest for the next update.
        int rowsPerBand = Math.max(1, MAX_UPDATE_DATA / ((x1 - x0) * 4));
        // A held picture stays as it is while this thread writes it to the socket.
        boolean held = pixels.held();
        for (int y = y0; y < y1; y += rowsPerBand) {
            int[] band = {x0, y, x1, Math.min(y1, y + rowsPerBand)};
            IOException[] failed = new IOException[1];
            boolean[] laidOut = new boolean[1];
            boolean read;
            try {
                read = pixels.read(frame -> {
                    if (held && UpdateWriter.sendsAsIs(frame, band[0], band[2])) {
                        try {
                            updates.sendAsIs(socket, s, frame, band[1], band[3]);
                        } catch (IOException e) {
                            failed[0] = e;
                        }
                    } else {
                        updates.take(s, frame, band[0], band[1], band[2], band[3]);
                        laidOut[0] = true;
                    }
                });
            } catch (RuntimeException e) {
                logOnce("frame", "a frame's pixels do not match its geometry ({}); update dropped", e.toString());
                unsent[s] = null;
                return;
            }
            if (failed[0] != null) {
                lost(failed[0]);
                return;
            }
            if (!read) {
                unsent[s] = new int[] {x0, y, x1, y1};
                return;
            }
            if (laidOut[0]) {
                try {
                    updates.send(socket);
                } catch (IOException e) {
                    lost(e);
                    return;
                }
            }
        }
        unsent[s] = null;
    }

    @Override
    public synchronized void cursorDefined(ScanoutId id, CursorImage cursor) {
        int s = id.scanout();
        if (closed || !validScanout(s)) {
            return;
        }
        if (cursor == null) {
            cursorVisible[s] = false;
            sinkSend(new Control(GpuRequest.CURSOR_POS_HIDE, s, cursorPos(s)));
            return;
        }
        cursorVisible[s] = true;
        sinkSend(new Control(GpuRequest.CURSOR_UPDATE, s, GpuRequest.cursorUpdate(cursorPos(s), cursor)));
    }

    @Override
    public synchronized void cursorMoved(ScanoutId id, int x, int y) {
        int s = id.scanout();
        if (closed || !validScanout(s)) {
            return;
        }
        cursorX[s] = x;
        cursorY[s] = y;
        int request = cursorVisible[s] ? GpuRequest.CURSOR_POS : GpuRequest.CURSOR_POS_HIDE;
        sinkSend(new Control(request, s, cursorPos(s)));
    }

    private void sinkSend(Control c) {
        try {
            send(sinkTx, c);
        } catch (IOException e) {
            lost(e);
        }
    }

    /**
     * A write failed: the front end is gone. The socket is shut down, so the channel thread
     * sees it and withdraws the sink; this call does not wait for that.
     */
    private void lost(IOException e) {
        if (!closed) {
            closed = true;
            LOG.info("vhost-user-gpu display channel ended: {}", e.getMessage());
            socket.shutdown();
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
        logOnce("scanout", "scanout id {} is out of range; ignored", scanoutId);
        return false;
    }

    private void logOnce(String key, String format, Object... args) {
        boolean first;
        synchronized (logged) {
            first = logged.add(key);
        }
        if (first) {
            LOG.warn(format, args);
        }
    }

    /** VhostUserGpuCursorPos of {@code scanoutId} where the cursor last moved. */
    private byte[] cursorPos(int scanoutId) {
        return GpuRequest.cursorPos(scanoutId, cursorX[scanoutId], cursorY[scanoutId]);
    }

    // ---- lifecycle ---------------------------------------------------------------

    /** Ends the channel: its thread stops, the sink is withdrawn, the socket closed. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            wakeChannelThread();
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
