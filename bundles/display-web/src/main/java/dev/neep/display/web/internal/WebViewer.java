package dev.neep.display.web.internal;

import dev.neep.display.support.Cursors;
import dev.neep.display.support.PacedPictures;
import dev.neep.display.support.Picture;
import dev.neep.display.support.Png;
import dev.neep.gpu.api.CursorImage;
import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.api.Pixels;
import dev.neep.gpu.api.Scanout;
import dev.neep.gpu.api.ScanoutId;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.Rect;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state the web viewer shows, and the streams that show it ({@link ViewerServlet} serves
 * them over HTTP and a WebSocket).
 *
 * <p>The device's thread only notes the pixels and the dirty rectangle (see
 * {@link PacedPictures}) and returns. An encoder thread of its own converts the dirty rectangle
 * into the scanout's picture, copies it, finds the rectangle that differs from its previous take
 * and encodes just that as PNG, at most once per scanout per minimum interval, the last update of
 * a burst always included; each take that changed something gets the next sequence number.
 *
 * <p>Each browser has a thread ({@link #stream}) that compares what it has sent with the current
 * state whenever something changes and sends only the differences, as JSON text messages
 * ({@code scanout}: geometry, or disabled; {@code cursor}: a new cursor picture; {@code move}: a
 * cursor position) and binary frames: a {@value #FRAME_HEADER}-byte header (big-endian ints:
 * scanout, sequence number, picture width and height, rectangle x, y, width and height) and the
 * rectangle's PNG. A browser that has the frame before gets the rectangle, any other the whole
 * picture, so a slow browser sees the newest state rather than a backlog.
 */
final class WebViewer implements DisplaySink, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebViewer.class);
    static final long KEEPALIVE_MS = 15_000;
    static final int FRAME_HEADER = 32;
    /** Deflate level 1 (quality maps to level 9 * (1 - q)): loopback bandwidth is cheap, encoder time is not. */
    private static final float PNG_QUALITY = 0.8f;
    /** VIRTIO_GPU_MAX_SCANOUTS: a device's scanouts are numbered below it. */
    private static final int MAX_SCANOUTS = 16;

    private final byte[] page;
    /** Guards the scanouts and, shared with {@link #pictures}, their pictures. */
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when {@link #version} moves or closing starts: wakes the streams. */
    private final Condition published = lock.newCondition();
    /** Guarded by {@link #lock}; sorted so pages and status list scanouts in order. */
    private final Map<Integer, ScanoutState> scanouts = new TreeMap<>();
    /** Guarded by {@link #lock}: the page's number of each scanout (see {@link #state}). */
    private final Map<ScanoutId, Integer> numbers = new HashMap<>();
    /** Encoder thread only: each scanout's last take, which the next is compared with. */
    private final Map<ScanoutId, Taken> lastTaken = new HashMap<>();
    /** Guarded by {@link #lock}: bumped by every change a stream reports. */
    private long version;
    /** Guarded by {@link #lock}. */
    private boolean closing;
    private final PacedPictures<Taken> pictures;

    /** Starts the encoder. */
    WebViewer(long minIntervalMs) {
        this.page = resource("viewer.html");
        this.pictures = new PacedPictures<>("neep-web-encoder", lock, minIntervalMs, PacedPictures.OnClose.DROP,
                (scanoutId, take, picture) -> encode(scanoutId, picture), this::encoded);
        pictures.start();
    }

    @Override
    public void scanoutChanged(ScanoutId id, Scanout scanout) {
        lock.lock();
        try {
            if (closing) {
                return;
            }
            ScanoutState s = state(id);
            s.scanout = scanout;
            s.enabled = scanout != null;
            s.geometrySeq++;
            if (scanout == null) {
                // A disabled scanout shows nothing, and a picture still being encoded is not published.
                pictures.clear(id);
                s.taken = null;
            } else {
                // The next frame is taken whole: it may come from another resource.
                pictures.restart(id);
            }
            publish();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void frameUpdated(ScanoutId id, Rect dirty, Pixels pixels) {
        lock.lock();
        try {
            if (closing) {
                return;
            }
            ScanoutState s = state(id);
            if (!Formats.isSupported2d(pixels.format())) {
                if (s.refusedFormats.add(pixels.format())) {
                    LOG.warn("scanout {}: frames in format {} cannot be shown; they are dropped", id,
                            Formats.name(pixels.format()));
                }
                return;
            }
            pictures.update(id, pixels, dirty);
            s.framesReceived++;
            if (!s.enabled) {
                // A frame without a scanout set first still shows: a viewer is for looking.
                s.enabled = true;
                s.geometrySeq++;
                publish();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void cursorDefined(ScanoutId id, CursorImage cursor) {
        lock.lock();
        try {
            if (closing) {
                return;
            }
            ScanoutState s = state(id);
            if (cursor != null && !Cursors.complete(cursor)) {
                LOG.warn("scanout {}: cursor image {}x{} with {} pixels cannot be shown; hiding the cursor",
                        id, cursor.width(), cursor.height(),
                        cursor.argb() == null ? 0 : cursor.argb().length);
                cursor = null;
            }
            s.cursor = cursor;
            s.cursorSeq++;
            s.cursorPng = null;
            publish();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void cursorMoved(ScanoutId id, int x, int y) {
        lock.lock();
        try {
            if (closing) {
                return;
            }
            ScanoutState s = state(id);
            if (!s.cursorPlaced || s.cursorX != x || s.cursorY != y) {
                s.cursorPlaced = true;
                s.cursorX = x;
                s.cursorY = y;
                publish();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Stops: streams end, changes not yet encoded are dropped. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closing) {
                return;
            }
            closing = true;
            published.signalAll();
        } finally {
            lock.unlock();
        }
        pictures.close();
    }

    /**
     * Guarded by {@link #lock}. The page numbers scanouts: the default device's by their own
     * number, another device's from {@value #MAX_SCANOUTS} on, in the order they appear.
     */
    private ScanoutState state(ScanoutId id) {
        Integer n = numbers.get(id);
        if (n == null) {
            n = ScanoutId.DEFAULT_DEVICE.equals(id.device()) ? id.scanout() : MAX_SCANOUTS + numbers.size();
            numbers.put(id, n);
        }
        return scanouts.computeIfAbsent(n, k -> new ScanoutState(k, id));
    }

    /** Guarded by {@link #lock}. */
    private void publish() {
        version++;
        published.signalAll();
    }

    /**
     * Encoder thread, under {@link #lock}: publishes a take. Its rectangle can be sent alone
     * only when the take it was compared with is the one published last: not when the scanout
     * was disabled in between.
     */
    private void encoded(ScanoutId id, Picture picture, Taken taken) {
        ScanoutState s = state(id);
        boolean follows = s.taken != null && s.taken.argb() == taken.base();
        if (follows && taken.area() == null) {
            // The same pixels: the next take is compared with this one, and the published
            // rectangle still leads to it.
            Taken t = s.taken;
            s.taken = new Taken(taken.argb(), t.width(), t.height(), t.alpha(), t.base(), t.area(), t.png());
            return;
        }
        s.patchesLast = follows;
        s.taken = taken;
        s.framesEncoded++;
        publish();
    }

    // ---- what the servlet and the WebSocket ask ----

    /** The page, {@code viewer.html}. */
    byte[] page() {
        return page;
    }

    /** A scanout's newest picture as PNG, and its frame number. */
    record Served(long seq, byte[] png) {
    }

    /**
     * The newest picture of scanout {@code scanoutId}, encoded on the asking thread, or
     * {@code null} when it has none.
     */
    Served scanoutPng(int scanoutId) throws IOException {
        Whole whole;
        lock.lock();
        try {
            ScanoutState s = scanouts.get(scanoutId);
            if (s == null || s.taken == null) {
                return null;
            }
            whole = new Whole(s.id, s.framesEncoded, s.taken);
        } finally {
            lock.unlock();
        }
        return new Served(whole.seq(), whole.png());
    }

    /** Cursors are small: encoded on the asking thread and kept until the next define; {@code null} when none. */
    byte[] cursorPng(int scanoutId) throws IOException {
        CursorImage cursor;
        long seq;
        lock.lock();
        try {
            ScanoutState s = scanouts.get(scanoutId);
            if (s == null || s.cursor == null) {
                return null;
            }
            if (s.cursorPng != null) {
                return s.cursorPng;
            }
            cursor = s.cursor;
            seq = s.cursorSeq;
        } finally {
            lock.unlock();
        }
        byte[] png = Png.encode(Cursors.toImage(cursor), PNG_QUALITY);
        lock.lock();
        try {
            ScanoutState s = scanouts.get(scanoutId);
            if (s.cursorSeq == seq) {
                s.cursorPng = png;
            }
        } finally {
            lock.unlock();
        }
        return png;
    }

    /** Where one browser's messages go; sends block, and a failed one ends the stream. */
    interface Peer {
        void text(String message) throws IOException;

        void binary(ByteBuffer message) throws IOException;
    }

    /**
     * Feeds one browser until the viewer closes, a send fails or the thread is interrupted: the
     * whole current state first, then whenever something changes, the differences from what it
     * has sent. A frame is the dirty rectangle's PNG when the browser has the frame before it,
     * else the whole picture, so a slow browser gets the newest picture, never a backlog.
     */
    void stream(Peer peer) throws IOException, InterruptedException {
        Map<Integer, Seen> seen = new HashMap<>();
        long seenVersion = -1;
        while (true) {
            List<Message> messages = new ArrayList<>();
            lock.lock();
            try {
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(KEEPALIVE_MS);
                while (!closing && version == seenVersion) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    published.awaitNanos(left);
                }
                if (closing) {
                    return;
                }
                messagesSince(seen, messages);
                seenVersion = version;
            } finally {
                lock.unlock();
            }
            if (messages.isEmpty()) {
                // Finds browsers that have gone and keeps proxies from timing out.
                peer.text("{\"event\":\"keepalive\"}");
            }
            for (Message m : messages) {
                m.sendTo(peer);
            }
        }
    }

    /** One message to a browser, made outside the lock. */
    private interface Message {
        void sendTo(Peer peer) throws IOException;
    }

    /** A frame: the PNG of {@code area} of a {@code width} x {@code height} picture. */
    private static ByteBuffer frame(int id, long seq, int width, int height, Rect area, byte[] png) {
        ByteBuffer b = ByteBuffer.allocate(FRAME_HEADER + png.length);
        b.putInt(id).putInt((int) seq).putInt(width).putInt(height)
                .putInt(area.x()).putInt(area.y()).putInt(area.width()).putInt(area.height()).put(png);
        return b.flip();
    }

    /** A whole picture, to be encoded by whoever sends it. */
    private record Whole(int id, long seq, Taken taken) implements Message {
        byte[] png() throws IOException {
            BufferedImage image = new BufferedImage(taken.width(), taken.height(),
                    taken.alpha() ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
            image.setRGB(0, 0, taken.width(), taken.height(), taken.argb(), 0, taken.width());
            return Png.encode(image, PNG_QUALITY);
        }

        @Override
        public void sendTo(Peer peer) throws IOException {
            peer.binary(frame(id, seq, taken.width(), taken.height(),
                    new Rect(0, 0, taken.width(), taken.height()), png()));
        }
    }

    /**
     * What the encoder made of one take: the whole picture ({@code argb} is never written after),
     * and the PNG of the rectangle {@code area} that differs from {@code base}, the take before it;
     * {@code area} is {@code null} when nothing differs.
     */
    private record Taken(int[] argb, int width, int height, boolean alpha, int[] base, Rect area, byte[] png) {
    }

    /** Encoder thread, without the lock: the bounding box of what changed since the last take, as PNG. */
    private Taken encode(ScanoutId id, Picture picture) throws IOException {
        BufferedImage image = picture.toImage();
        int[] argb = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
        int w = image.getWidth();
        int h = image.getHeight();
        boolean alpha = image.getType() == BufferedImage.TYPE_INT_ARGB;
        Taken before = lastTaken.get(id);
        Rect area = before != null && before.width() == w && before.height() == h && before.alpha() == alpha
                ? changed(before.argb(), argb, w, h) : new Rect(0, 0, w, h);
        byte[] png = area == null ? null
                : Png.encode(image.getSubimage(area.x(), area.y(), area.width(), area.height()), PNG_QUALITY);
        Taken taken = new Taken(argb, w, h, alpha, before == null ? null : before.argb(), area, png);
        lastTaken.put(id, taken);
        return taken;
    }

    /** The smallest rectangle holding every pixel that differs, or {@code null} when none does. */
    static Rect changed(int[] before, int[] after, int width, int height) {
        int top = -1;
        int bottom = -1;
        int left = width;
        int right = -1;
        for (int y = 0; y < height; y++) {
            int row = y * width;
            int first = Arrays.mismatch(before, row, row + width, after, row, row + width);
            if (first < 0) {
                continue;
            }
            if (top < 0) {
                top = y;
            }
            bottom = y;
            left = Math.min(left, first);
            for (int x = width - 1; x > right; x--) {
                if (before[row + x] != after[row + x]) {
                    right = x;
                    break;
                }
            }
        }
        return top < 0 ? null : new Rect(left, top, right - left + 1, bottom - top + 1);
    }

    /** Guarded by {@link #lock}: messages for what changed since {@code seen}, which it updates. */
    private void messagesSince(Map<Integer, Seen> seen, List<Message> messages) {
        for (ScanoutState s : scanouts.values()) {
            Seen was = seen.computeIfAbsent(s.id, id -> new Seen());
            if (was.geometrySeq != s.geometrySeq) {
                was.geometrySeq = s.geometrySeq;
                event(messages, "scanout", s.id, s.enabled
                        ? ",\"enabled\":true,\"width\":" + width(s) + ",\"height\":" + height(s)
                        : ",\"enabled\":false");
            }
            if (s.taken != null && was.frameSeq != s.framesEncoded) {
                Taken t = s.taken;
                if (s.patchesLast && was.frameSeq == s.framesEncoded - 1) {
                    ByteBuffer frame = frame(s.id, s.framesEncoded, t.width(), t.height(), t.area(), t.png());
                    messages.add(peer -> peer.binary(frame.duplicate()));
                } else {
                    messages.add(new Whole(s.id, s.framesEncoded, t));
                }
                was.frameSeq = s.framesEncoded;
            }
            if (was.cursorSeq != s.cursorSeq) {
                was.cursorSeq = s.cursorSeq;
                CursorImage c = s.cursor;
                event(messages, "cursor", s.id, c == null ? ",\"seq\":" + s.cursorSeq + ",\"visible\":false"
                        : ",\"seq\":" + s.cursorSeq + ",\"visible\":true,\"width\":" + c.width() + ",\"height\":"
                                + c.height() + ",\"hotX\":" + c.hotX() + ",\"hotY\":" + c.hotY());
            }
            if (s.cursorPlaced && (!was.cursorPlaced || was.cursorX != s.cursorX || was.cursorY != s.cursorY)) {
                was.cursorPlaced = true;
                was.cursorX = s.cursorX;
                was.cursorY = s.cursorY;
                event(messages, "move", s.id, ",\"x\":" + s.cursorX + ",\"y\":" + s.cursorY);
            }
        }
    }

    /** Guarded by {@link #lock}: the scanout's size, else its newest frame's, else its last PNG's. */
    private int width(ScanoutState s) {
        Picture current = pictures.current(s.key);
        return s.scanout != null ? s.scanout.width() : current != null ? current.width() : s.taken != null ? s.taken.width() : 0;
    }

    /** Guarded by {@link #lock}: as {@link #width}. */
    private int height(ScanoutState s) {
        Picture current = pictures.current(s.key);
        return s.scanout != null ? s.scanout.height() : current != null ? current.height() : s.taken != null ? s.taken.height() : 0;
    }

    private static void event(List<Message> messages, String name, int id, String fields) {
        String json = "{\"event\":\"" + name + "\",\"id\":" + id + fields + "}";
        messages.add(peer -> peer.text(json));
    }

    String status() {
        StringBuilder j = new StringBuilder("{\"scanouts\":[");
        lock.lock();
        try {
            String sep = "";
            for (ScanoutState s : scanouts.values()) {
                j.append(sep).append("{\"id\":").append(s.id).append(",\"enabled\":").append(s.enabled);
                sep = ",";
                Scanout so = s.scanout;
                if (so != null) {
                    j.append(",\"resourceId\":").append(Integer.toUnsignedString(so.resourceId()))
                            .append(",\"format\":\"").append(Formats.name(so.format()))
                            .append("\",\"x\":").append(so.x()).append(",\"y\":").append(so.y());
                }
                j.append(",\"width\":").append(width(s)).append(",\"height\":").append(height(s))
                        .append(",\"framesReceived\":").append(s.framesReceived)
                        .append(",\"framesEncoded\":").append(s.framesEncoded)
                        .append(",\"cursor\":{\"visible\":").append(s.cursor != null)
                        .append(",\"defines\":").append(s.cursorSeq);
                if (s.cursor != null) {
                    j.append(",\"width\":").append(s.cursor.width()).append(",\"height\":").append(s.cursor.height())
                            .append(",\"hotX\":").append(s.cursor.hotX()).append(",\"hotY\":").append(s.cursor.hotY());
                }
                if (s.cursorPlaced) {
                    j.append(",\"x\":").append(s.cursorX).append(",\"y\":").append(s.cursorY);
                }
                j.append("}}");
            }
        } finally {
            lock.unlock();
        }
        return j.append("]}").toString();
    }

    private static byte[] resource(String name) {
        try (InputStream in = WebViewer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the bundle");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name + " from the bundle", e);
        }
    }

    /** One scanout; every field guarded by the viewer's lock. */
    private static final class ScanoutState {
        final int id;
        final ScanoutId key;
        Scanout scanout;
        boolean enabled;
        /** Bumped by every geometry change, enabled or disabled. */
        long geometrySeq;
        long framesReceived;
        /** The newest take's sequence number. */
        long framesEncoded;
        /** The newest take, or {@code null} while there is none (or the scanout is disabled). */
        Taken taken;
        /** Whether {@link #taken}'s rectangle turns the take before it into it. */
        boolean patchesLast;
        CursorImage cursor;
        /** Bumped by every cursor define, hide included. */
        long cursorSeq;
        byte[] cursorPng;
        boolean cursorPlaced;
        int cursorX;
        int cursorY;
        final Set<Integer> refusedFormats = new HashSet<>();

        ScanoutState(int id, ScanoutId key) {
            this.id = id;
            this.key = key;
        }
    }

    /** What one stream has sent about one scanout. */
    private static final class Seen {
        long geometrySeq = -1;
        long frameSeq = -1;
        long cursorSeq;
        boolean cursorPlaced;
        int cursorX;
        int cursorY;
    }
}
