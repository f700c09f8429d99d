package dev.neep.display.web.internal;

import dev.neep.display.web.internal.HttpServer.Reply;
import dev.neep.display.web.internal.HttpServer.Request;
import dev.neep.gpu.api.CursorImage;
import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.api.Frame;
import dev.neep.gpu.api.Rect;
import dev.neep.gpu.api.Scanout;
import dev.neep.gpu.protocol.Formats;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves every scanout to web browsers (see {@link WebDisplayConfig} for the paths).
 *
 * <p>The device's thread only converts the pixels inside the dirty rectangle into the scanout's
 * current picture, marks it changed and returns. An encoder thread of its own copies a changed
 * picture and turns the copy into PNG, at most once per scanout per minimum interval, the last
 * update of a burst always included; each encoded picture gets the next sequence number.
 * Connection threads answer from the newest PNG and never wait for the encoder.
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
    private static final long CLOSE_WAIT_MS = 10_000;
    /** Deflate level 1 (quality maps to level 9 * (1 - q)): loopback bandwidth is cheap, encoder time is not. */
    private static final float PNG_QUALITY = 0.8f;
    private static final Pattern SCANOUT_PNG = Pattern.compile("/scanout/([0-9]{1,9})\\.png");
    private static final Pattern CURSOR_PNG = Pattern.compile("/cursor/([0-9]{1,9})\\.png");

    private final WebSettings settings;
    private final long minIntervalNanos;
    private final byte[] page;
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when a picture changed or closing starts: wakes the encoder. */
    private final Condition work = lock.newCondition();
    /** Signalled when {@link #version} moves or closing starts: wakes the event streams. */
    private final Condition published = lock.newCondition();
    /** Guarded by {@link #lock}; sorted so pages and status list scanouts in order. */
    private final Map<Integer, ScanoutState> scanouts = new TreeMap<>();
    /** Guarded by {@link #lock}: bumped by every change an event stream reports. */
    private long version;
    /** Guarded by {@link #lock}. */
    private boolean closing;
    private final Thread encoder;
    private HttpServer server;
    /** Encoder thread only: whether the last encoding failed, so a lasting fault is logged once. */
    private boolean encodeFailing;

    private WebViewer(WebSettings settings) {
        this.settings = settings;
        this.minIntervalNanos = TimeUnit.MILLISECONDS.toNanos(settings.minIntervalMs());
        this.page = resource("viewer.html");
        this.encoder = new Thread(this::encodeLoop, "neep-web-encoder");
        encoder.setDaemon(true);
    }

    /**
     * Listens and starts the encoder.
     *
     * @throws IllegalArgumentException naming the {@code host} and {@code port} properties and
     *         their values when they cannot be listened on
     */
    static WebViewer start(WebSettings settings) {
        WebViewer viewer = new WebViewer(settings);
        try {
            viewer.server = HttpServer.start(settings.address(), settings.port(), settings.host(), viewer::handle);
        } catch (IOException e) {
            throw new IllegalArgumentException(WebDisplayConfig.PID + ": cannot listen on " + WebSettings.HOST
                    + " = '" + settings.host() + "', " + WebSettings.PORT + " = '" + settings.port() + "': " + e, e);
        }
        viewer.encoder.start();
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
    public void scanoutChanged(int scanoutId, Scanout scanout) {
        lock.lock();
        try {
            if (closing) {
                return;
            }
            ScanoutState s = state(scanoutId);
            s.scanout = scanout;
            s.enabled = scanout != null;
            s.geometrySeq++;
            // The next frame is copied whole: it may come from another resource.
            s.current = null;
            s.changed = false;
            if (scanout == null) {
                // A disabled scanout shows nothing, and a picture still being encoded is not published.
                s.epoch++;
                s.png = null;
            }
            publish();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void frameUpdated(int scanoutId, Rect dirty, Frame frame) {
        lock.lock();
        try {
            if (closing) {
                return;
            }
            ScanoutState s = state(scanoutId);
            if (!Formats.isSupported2d(frame.format())) {
                if (s.refusedFormats.add(frame.format())) {
                    LOG.warn("scanout {}: frames in format {} cannot be shown; they are dropped", scanoutId,
                            Formats.name(frame.format()));
                }
                return;
            }
            if (s.current == null) {
                s.current = new Picture();
            }
            s.current.update(frame, dirty);
            s.changed = true;
            s.framesReceived++;
            if (!s.enabled) {
                // A frame without a scanout set first still shows: a viewer is for looking.
                s.enabled = true;
                s.geometrySeq++;
                publish();
            }
            work.signal();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void cursorDefined(int scanoutId, CursorImage cursor) {
        lock.lock();
        try {
            if (closing) {
                return;
            }
            ScanoutState s = state(scanoutId);
            if (cursor != null && (cursor.width() <= 0 || cursor.height() <= 0 || cursor.argb() == null
                    || cursor.argb().length < (long) cursor.width() * cursor.height())) {
                LOG.warn("scanout {}: cursor image {}x{} with {} pixels cannot be shown; hiding the cursor",
                        scanoutId, cursor.width(), cursor.height(),
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
    public void cursorMoved(int scanoutId, int x, int y) {
        lock.lock();
        try {
            if (closing) {
                return;
            }
            ScanoutState s = state(scanoutId);
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
            work.signalAll();
            published.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            encoder.join(CLOSE_WAIT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (encoder.isAlive()) {
            LOG.warn("web viewer encoder still busy after {} ms; leaving it to finish on its own", CLOSE_WAIT_MS);
        }
        server.close();
    }

    /** Guarded by {@link #lock}. */
    private ScanoutState state(int scanoutId) {
        return scanouts.computeIfAbsent(scanoutId, ScanoutState::new);
    }

    /** Guarded by {@link #lock}. */
    private void publish() {
        version++;
        published.signalAll();
    }

    private void encodeLoop() {
        lock.lock();
        try {
            while (!closing) {
                ScanoutState due = null;
                for (ScanoutState s : scanouts.values()) {
                    if (s.changed && (due == null || s.nextEncodeAt - due.nextEncodeAt < 0)) {
                        due = s;
                    }
                }
                if (due == null) {
                    work.await();
                    continue;
                }
                long now = System.nanoTime();
                if (due.nextEncodeAt - now > 0) {
                    work.awaitNanos(due.nextEncodeAt - now);
                    continue;
                }
                Picture picture = due.spare != null ? due.spare : new Picture();
                due.spare = null;
                picture.copyOf(due.current);
                due.changed = false;
                due.nextEncodeAt = now + minIntervalNanos;
                long epoch = due.epoch;
                byte[] png;
                lock.unlock();
                try {
                    png = encodeFrame(due.id, picture);
                } finally {
                    lock.lock();
                }
                due.spare = picture;
                if (png != null && due.epoch == epoch) {
                    due.png = png;
                    due.pngWidth = picture.width;
                    due.pngHeight = picture.height;
                    due.framesEncoded++;
                    publish();
                }
            }
        } catch (InterruptedException e) {
            LOG.warn("web viewer encoder interrupted; frames are no longer encoded");
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    private byte[] encodeFrame(int scanoutId, Picture picture) {
        try {
            byte[] png = encode(picture.toImage());
            encodeFailing = false;
            return png;
        } catch (IOException | RuntimeException e) {
            if (!encodeFailing) {
                encodeFailing = true;
                LOG.error("cannot encode a PNG of scanout {}; further failures are logged at debug until one"
                        + " succeeds", scanoutId, e);
            } else {
                LOG.debug("cannot encode a PNG of scanout {}", scanoutId, e);
            }
            return null;
        }
    }

    static byte[] encode(BufferedImage image) throws IOException {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("png");
        if (!writers.hasNext()) {
            throw new IOException("no PNG writer in ImageIO");
        }
        ImageWriter writer = writers.next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(PNG_QUALITY);
            writer.setOutput(out);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
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
        BufferedImage image = new BufferedImage(cursor.width(), cursor.height(), BufferedImage.TYPE_INT_ARGB);
        image.setRGB(0, 0, cursor.width(), cursor.height(), cursor.argb(), 0, cursor.width());
        byte[] png = encode(image);
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
                        ? ",\"enabled\":true,\"width\":" + s.width() + ",\"height\":" + s.height()
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
                j.append(",\"width\":").append(s.width()).append(",\"height\":").append(s.height())
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
        Scanout scanout;
        boolean enabled;
        /** Bumped by every geometry change, enabled or disabled. */
        long geometrySeq;
        /** Bumped when the scanout is disabled: an encoding started before is not published. */
        long epoch;
        /** The newest picture, updated in place by the device's thread; null until a frame comes. */
        Picture current;
        /** Whether {@link #current} changed since the encoder last copied it. */
        boolean changed;
        /** The encoder's copy of {@link #current}, kept for its next copy. */
        Picture spare;
        long nextEncodeAt = System.nanoTime();
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

        ScanoutState(int id) {
            this.id = id;
        }

        int width() {
            return scanout != null ? scanout.width() : current != null ? current.width : pngWidth;
        }

        int height() {
            return scanout != null ? scanout.height() : current != null ? current.height : pngHeight;
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

    /** A scanout's pixels as ARGB, packed without stride padding. */
    static final class Picture {
        int width;
        int height;
        boolean alpha;
        int[] argb = new int[0];

        /**
         * Converts the frame's pixels inside {@code dirty} (clipped to the frame); all of them when
         * the frame's size or alpha differs from this picture's.
         */
        void update(Frame frame, Rect dirty) {
            int w = frame.width();
            int h = frame.height();
            boolean hasAlpha = Formats.hasAlpha(frame.format());
            int x0 = 0;
            int y0 = 0;
            int x1 = w;
            int y1 = h;
            if (w != width || h != height || hasAlpha != alpha) {
                argb = new int[Math.multiplyExact(w, h)];
                width = w;
                height = h;
                alpha = hasAlpha;
            } else {
                x0 = (int) Math.max(0, dirty.x());
                y0 = (int) Math.max(0, dirty.y());
                x1 = (int) Math.min(w, (long) dirty.x() + dirty.width());
                y1 = (int) Math.min(h, (long) dirty.y() + dirty.height());
            }
            ByteBuffer src = frame.pixels();
            int base = src.position();
            int bpp = Formats.bytesPerPixel(frame.format());
            for (int y = y0; y < y1 && x0 < x1; y++) {
                int at = Math.addExact(base, Math.addExact(Math.multiplyExact(y, frame.stride()), x0 * bpp));
                Formats.toArgb(frame.format(), src, at, argb, y * w + x0, x1 - x0);
            }
        }

        void copyOf(Picture p) {
            if (argb.length != p.argb.length) {
                argb = new int[p.argb.length];
            }
            System.arraycopy(p.argb, 0, argb, 0, argb.length);
            width = p.width;
            height = p.height;
            alpha = p.alpha;
        }

        /** X formats become opaque RGB, the others ARGB with their alpha. */
        BufferedImage toImage() {
            BufferedImage image = new BufferedImage(width, height,
                    alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
            System.arraycopy(argb, 0, ((DataBufferInt) image.getRaster().getDataBuffer()).getData(), 0, argb.length);
            return image;
        }
    }
}
