package dev.neep.display.web.internal;

import dev.neep.config.support.ConfigurationRefused;
import dev.neep.display.support.Cursors;
import dev.neep.display.support.PacedPictures;
import dev.neep.display.support.Picture;
import dev.neep.display.support.Png;
import dev.neep.display.web.internal.HttpServer.Reply;
import dev.neep.display.web.internal.HttpServer.Request;
import dev.neep.gpu.api.CursorImage;
import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.api.Pixels;
import dev.neep.gpu.api.Scanout;
import dev.neep.gpu.api.ScanoutId;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.Rect;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves every scanout to web browsers (see {@link WebDisplayConfig} for the paths).
 *
 * <p>The device's thread only converts the pixels inside the dirty rectangle into the scanout's
 * current picture, marks it changed and returns. An encoder thread of its own copies a changed
 * picture and turns the copy into PNG, at most once per scanout per minimum interval, the last
 * update of a burst always included (see {@link PacedPictures}); each encoded picture gets the
 * next sequence number. Connection threads answer from the newest PNG and never wait for the
 * encoder.
 *
 * <p>{@code /events} is a Server-Sent Events stream. Its thread compares what it has sent with
 * the current state whenever something changes, and sends only the differences, so a slow
 * client sees the newest state rather than a backlog: {@code scanout} (geometry, or disabled),
 * {@code frame} (a new PNG sequence number), {@code cursor} (a new cursor picture) and
 * {@code move} (a cursor position). A new client gets the whole current state first.
 */
final class WebViewer implements DisplaySink, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebViewer.class);
    static final long KEEPALIVE_MS = 15_000;
    /** Deflate level 1 (quality maps to level 9 * (1 - q)): loopback bandwidth is cheap, encoder time is not. */
    private static final float PNG_QUALITY = 0.8f;
    /** VIRTIO_GPU_MAX_SCANOUTS: a device's scanouts are numbered below it. */
    private static final int MAX_SCANOUTS = 16;
    private static final Pattern SCANOUT_PNG = Pattern.compile("/scanout/([0-9]{1,9})\\.png");
    private static final Pattern CURSOR_PNG = Pattern.compile("/cursor/([0-9]{1,9})\\.png");

    private final WebSettings settings;
    private final byte[] page;
    /** Guards the scanouts and, shared with {@link #pictures}, their pictures. */
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when {@link #version} moves or closing starts: wakes the event streams. */
    private final Condition published = lock.newCondition();
    /** Guarded by {@link #lock}; sorted so pages and status list scanouts in order. */
    private final Map<Integer, ScanoutState> scanouts = new TreeMap<>();
    /** Guarded by {@link #lock}: the page's number of each scanout (see {@link #state}). */
    private final Map<ScanoutId, Integer> numbers = new HashMap<>();
    /** Guarded by {@link #lock}: bumped by every change an event stream reports. */
    private long version;
    /** Guarded by {@link #lock}. */
    private boolean closing;
    private final PacedPictures<byte[]> pictures;
    private HttpServer server;

    private WebViewer(WebSettings settings) {
        this.settings = settings;
        this.page = resource("viewer.html");
        this.pictures = new PacedPictures<>("neep-web-encoder", lock, settings.minIntervalMs(),
                PacedPictures.OnClose.DROP, (scanoutId, take, picture) -> Png.encode(picture.toImage(), PNG_QUALITY),
                this::encoded);
    }

    /**
     * Listens and starts the encoder.
     *
     * @throws ConfigurationRefused naming the {@code port} and {@code host} properties and their
     *         values when they cannot be listened on
     */
    static WebViewer start(WebSettings settings) {
        WebViewer viewer = new WebViewer(settings);
        try {
            viewer.server = HttpServer.start(settings.address(), settings.port(), settings.host(), viewer::handle);
        } catch (IOException e) {
            throw new ConfigurationRefused(WebDisplayConfig.PID, WebSettings.PORT, settings.port(),
                    "cannot be listened on at " + WebSettings.HOST + "=" + settings.host() + " (" + e + ")");
        }
        viewer.pictures.start();
        LOG.info("web viewer at {}", viewer.url());
        return viewer;
    }

    /** The port listened on (the one chosen when configured as 0). */
    int port() {
        return server.port();
    }

    /** The page's address, for the log and for tests. */
    String url() {
        String host = settings.address() instanceof Inet6Address && !settings.host().startsWith("[")
                ? "[" + settings.host() + "]" : settings.host();
        return "http://" + host + ":" + port() + "/";
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
                s.png = null;
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

    /** Stops serving: event streams end, connections close, changes not yet encoded are dropped. */
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
        server.close();
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

    /** Encoder thread, under {@link #lock}: publishes a scanout's new PNG. */
    private void encoded(ScanoutId id, Picture picture, byte[] png) {
        ScanoutState s = state(id);
        s.png = png;
        s.pngWidth = picture.width();
        s.pngHeight = picture.height();
        s.framesEncoded++;
        publish();
    }

    // ---- HTTP ----

    private Reply handle(Request request) throws IOException {
        switch (request.path()) {
            case "/":
            case "/index.html":
                return Reply.of(200, "text/html; charset=utf-8", page);
            case "/events":
                return Reply.stream("text/event-stream; charset=utf-8", this::streamEvents);
            case "/status.json":
                return Reply.of(200, "application/json", status().getBytes(StandardCharsets.UTF_8));
            default:
                break;
        }
        Matcher m = SCANOUT_PNG.matcher(request.path());
        if (m.matches()) {
            return scanoutPng(Integer.parseInt(m.group(1)));
        }
        m = CURSOR_PNG.matcher(request.path());
        if (m.matches()) {
            return cursorPng(Integer.parseInt(m.group(1)));
        }
        return Reply.text(404, "no such page: " + request.path());
    }

    private Reply scanoutPng(int scanoutId) {
        lock.lock();
        try {
            ScanoutState s = scanouts.get(scanoutId);
            if (s == null || s.png == null) {
                return Reply.text(404, "scanout " + scanoutId + " has no picture");
            }
            // The array is never written after it is published: it can be sent unlocked.
            return Reply.of(200, "image/png", s.png).withHeader("X-Neep-Frame", Long.toString(s.framesEncoded));
        } finally {
            lock.unlock();
        }
    }

    /** Cursors are small: encoded on the asking connection's thread and kept until the next define. */
    private Reply cursorPng(int scanoutId) throws IOException {
        CursorImage cursor;
        long seq;
        lock.lock();
        try {
            ScanoutState s = scanouts.get(scanoutId);
            if (s == null || s.cursor == null) {
                return Reply.text(404, "scanout " + scanoutId + " has no cursor");
            }
            if (s.cursorPng != null) {
                return Reply.of(200, "image/png", s.cursorPng).withHeader("X-Neep-Cursor", Long.toString(s.cursorSeq));
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
        return Reply.of(200, "image/png", png).withHeader("X-Neep-Cursor", Long.toString(seq));
    }

    private void streamEvents(OutputStream out) throws IOException, InterruptedException {
        Map<Integer, Seen> seen = new HashMap<>();
        long seenVersion = -1;
        out.write("retry: 1000\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
        while (true) {
            String events;
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
                events = eventsSince(seen);
                seenVersion = version;
            } finally {
                lock.unlock();
            }
            // A comment line keeps proxies from timing out and finds clients that have gone.
            out.write((events.isEmpty() ? ": keepalive\n\n" : events).getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }

    /** Guarded by {@link #lock}: events for what changed since {@code seen}, which it updates. */
    private String eventsSince(Map<Integer, Seen> seen) {
        StringBuilder e = new StringBuilder();
        for (ScanoutState s : scanouts.values()) {
            Seen was = seen.computeIfAbsent(s.id, id -> new Seen());
            if (was.geometrySeq != s.geometrySeq) {
                was.geometrySeq = s.geometrySeq;
                event(e, "scanout", s.id, s.enabled
                        ? ",\"enabled\":true,\"width\":" + width(s) + ",\"height\":" + height(s)
                        : ",\"enabled\":false");
            }
            if (s.png != null && was.frameSeq != s.framesEncoded) {
                was.frameSeq = s.framesEncoded;
                event(e, "frame", s.id, ",\"seq\":" + s.framesEncoded + ",\"width\":" + s.pngWidth
                        + ",\"height\":" + s.pngHeight);
            }
            if (was.cursorSeq != s.cursorSeq) {
                was.cursorSeq = s.cursorSeq;
                CursorImage c = s.cursor;
                event(e, "cursor", s.id, c == null ? ",\"seq\":" + s.cursorSeq + ",\"visible\":false"
                        : ",\"seq\":" + s.cursorSeq + ",\"visible\":true,\"width\":" + c.width() + ",\"height\":"
                                + c.height() + ",\"hotX\":" + c.hotX() + ",\"hotY\":" + c.hotY());
            }
            if (s.cursorPlaced && (!was.cursorPlaced || was.cursorX != s.cursorX || was.cursorY != s.cursorY)) {
                was.cursorPlaced = true;
                was.cursorX = s.cursorX;
                was.cursorY = s.cursorY;
                event(e, "move", s.id, ",\"x\":" + s.cursorX + ",\"y\":" + s.cursorY);
            }
        }
        return e.toString();
    }

    /** Guarded by {@link #lock}: the scanout's size, else its newest frame's, else its last PNG's. */
    private int width(ScanoutState s) {
        Picture current = pictures.current(s.key);
        return s.scanout != null ? s.scanout.width() : current != null ? current.width() : s.pngWidth;
    }

    /** Guarded by {@link #lock}: as {@link #width}. */
    private int height(ScanoutState s) {
        Picture current = pictures.current(s.key);
        return s.scanout != null ? s.scanout.height() : current != null ? current.height() : s.pngHeight;
    }

    private static void event(StringBuilder e, String name, int id, String fields) {
        e.append("event: ").append(name).append("\ndata: {\"id\":").append(id).append(fields).append("}\n\n");
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
        /** The newest PNG's sequence number. */
        long framesEncoded;
        byte[] png;
        int pngWidth;
        int pngHeight;
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

    /** What one event stream has sent about one scanout. */
    private static final class Seen {
        long geometrySeq = -1;
        long frameSeq = -1;
        long cursorSeq;
        boolean cursorPlaced;
        int cursorX;
        int cursorY;
    }
}
