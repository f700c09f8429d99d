package dev.neep.display.web.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.neep.config.support.TypedConfiguration;
import dev.neep.gpu.api.CursorImage;
import dev.neep.gpu.api.Frame;
import dev.neep.gpu.api.Pixels;
import dev.neep.gpu.api.Scanout;
import dev.neep.gpu.api.ScanoutId;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.Rect;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.util.concurrent.CompletionStage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import javax.imageio.ImageIO;
import org.junit.After;
import org.junit.Test;

public class WebViewerTest {
    private static final int[] ALL_FORMATS = {
        Formats.B8G8R8A8_UNORM, Formats.B8G8R8X8_UNORM, Formats.A8R8G8B8_UNORM, Formats.X8R8G8B8_UNORM,
        Formats.R8G8B8A8_UNORM, Formats.X8B8G8R8_UNORM, Formats.A8B8G8R8_UNORM, Formats.R8G8B8X8_UNORM,
    };
    private static final int W = 7;
    private static final int H = 5;
    private static final long WAIT_MS = 10_000;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private ServedViewer served;
    private WebViewer viewer;

    @After
    public void stop() throws Exception {
        if (served != null) {
            served.close();
        }
    }

    @Test
    public void newestFrameIsServedAsPngPixelExactInEveryFormat() throws Exception {
        viewer = start(0);
        int[] argb = testPicture();
        for (int i = 0; i < ALL_FORMATS.length; i++) {
            viewer.scanoutChanged(id(i), new Scanout(10 + i, ALL_FORMATS[i], 0, 0, W, H));
            viewer.frameUpdated(id(i), new Rect(0, 0, W, H), Pixels.of(frameOf(ALL_FORMATS[i], argb)));
        }
        for (int i = 0; i < ALL_FORMATS.length; i++) {
            int format = ALL_FORMATS[i];
            BufferedImage png = awaitPng(i, 1);
            assertEquals(W, png.getWidth());
            assertEquals(H, png.getHeight());
            int[] expected = argb.clone();
            if (!Formats.hasAlpha(format)) {
                for (int p = 0; p < expected.length; p++) {
                    expected[p] |= 0xff000000;
                }
            }
            assertArrayEquals(Formats.name(format), expected, png.getRGB(0, 0, W, H, null, 0, W));
        }
    }

    @Test
    public void statusReflectsScanoutAndCounters() throws Exception {
        viewer = start(0);
        viewer.scanoutChanged(id(0), new Scanout(42, Formats.B8G8R8X8_UNORM, 3, 4, W, H));
        viewer.frameUpdated(id(0), new Rect(0, 0, W, H), Pixels.of(solid(0xff102030)));
        awaitPng(0, 1);
        viewer.cursorDefined(id(0), new CursorImage(2, 2, 1, 0, new int[4]));
        viewer.cursorMoved(id(0), 5, 6);
        String status = get("/status.json", "application/json");
        assertEquals("{\"scanouts\":[{\"id\":0,\"enabled\":true,\"resourceId\":42,\"format\":\"B8G8R8X8_UNORM\","
                + "\"x\":3,\"y\":4,\"width\":7,\"height\":5,\"framesReceived\":1,\"framesEncoded\":1,"
                + "\"cursor\":{\"visible\":true,\"defines\":1,\"width\":2,\"height\":2,\"hotX\":1,\"hotY\":0,"
                + "\"x\":5,\"y\":6}}]}", status);

        viewer.scanoutChanged(id(0), null);
        assertTrue(get("/status.json", "application/json").startsWith("{\"scanouts\":[{\"id\":0,\"enabled\":false,"));
    }

    @Test
    public void eventsDeliverTheCurrentStateThenEachNewFrame() throws Exception {
        viewer = start(0);
        viewer.scanoutChanged(id(1), new Scanout(1, Formats.B8G8R8X8_UNORM, 0, 0, W, H));
        try (Events events = new Events()) {
            assertEquals("{\"id\":1,\"enabled\":true,\"width\":7,\"height\":5}", events.next("scanout"));
            viewer.frameUpdated(id(1), new Rect(0, 0, W, H), Pixels.of(solid(0xff000001)));
            assertEquals("{\"id\":1,\"seq\":1,\"width\":7,\"height\":5}", events.next("frame"));
            assertEquals("the first frame is whole", "0,0 7x5", events.next("rect"));
            // Only the dirty rectangle is read, so only it changes, and only it is sent.
            viewer.frameUpdated(id(1), new Rect(2, 1, 3, 2), Pixels.of(solid(0xff000002)));
            assertEquals("{\"id\":1,\"seq\":2,\"width\":7,\"height\":5}", events.next("frame"));
            assertEquals("2,1 3x2", events.next("rect"));
            assertEquals(0xff000002, awaitPng(1, 2).getRGB(2, 1));
            assertEquals(0xff000001, awaitPng(1, 2).getRGB(0, 0));
            viewer.scanoutChanged(id(1), null);
            assertEquals("{\"id\":1,\"enabled\":false}", events.next("scanout"));
        }
        assertEquals(404, status("/scanout/1.png"));
    }

    @Test
    public void cursorIsServedAsPngAndMovesAreEvents() throws Exception {
        viewer = start(0);
        int[] cursor = {0x00000000, 0xff0000ff, 0x80ff0000, 0xffffffff, 0x01020304, 0xfe00ff00};
        try (Events events = new Events()) {
            viewer.cursorDefined(id(2), new CursorImage(3, 2, 1, 1, cursor));
            assertEquals("{\"id\":2,\"seq\":1,\"visible\":true,\"width\":3,\"height\":2,\"hotX\":1,\"hotY\":1}",
                    events.next("cursor"));
            viewer.cursorMoved(id(2), 30, 40);
            assertEquals("{\"id\":2,\"x\":30,\"y\":40}", events.next("move"));
            viewer.cursorMoved(id(2), 31, 40);
            assertEquals("{\"id\":2,\"x\":31,\"y\":40}", events.next("move"));
            BufferedImage png = ImageIO.read(new ByteArrayInputStream(getBytes("/cursor/2.png")));
            assertArrayEquals(cursor, png.getRGB(0, 0, 3, 2, null, 0, 3));
            viewer.cursorDefined(id(2), null);
            assertEquals("{\"id\":2,\"seq\":2,\"visible\":false}", events.next("cursor"));
        }
        assertEquals(404, status("/cursor/2.png"));
    }

    @Test
    public void burstIsFoldedIntoOneTrailingEncoding() throws Exception {
        viewer = start(1000);
        viewer.frameUpdated(id(0), new Rect(0, 0, W, H), Pixels.of(solid(0xff000001)));
        awaitPng(0, 1);
        for (int i = 2; i <= 10; i++) {
            viewer.frameUpdated(id(0), new Rect(0, 0, W, H), Pixels.of(solid(0xff000000 | i)));
        }
        assertEquals("the last update of the burst is the one shown", 0xff00000a, awaitPng(0, 2).getRGB(W - 1, H - 1));
        Thread.sleep(1300);
        String status = get("/status.json", "application/json");
        assertTrue(status, status.contains("\"framesReceived\":10,\"framesEncoded\":2"));
    }

    @Test
    public void onlyTheDirtyRectangleIsTakenFromLaterFrames() throws Exception {
        viewer = start(0);
        viewer.scanoutChanged(id(0), new Scanout(1, Formats.B8G8R8X8_UNORM, 0, 0, W, H));
        viewer.frameUpdated(id(0), new Rect(0, 0, W, H), Pixels.of(solid(0xff000001)));
        awaitPng(0, 1);
        // Pixels outside the dirty rectangle are stale in the frame on purpose: they must not show.
        viewer.frameUpdated(id(0), new Rect(2, 1, 3, 2), Pixels.of(solid(0xff000002)));
        BufferedImage png = awaitPng(0, 2);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                boolean inside = x >= 2 && x < 5 && y >= 1 && y < 3;
                assertEquals("(" + x + "," + y + ")", inside ? 0xff000002 : 0xff000001, png.getRGB(x, y));
            }
        }
        // Clipped to the frame, however far outside it reaches.
        viewer.frameUpdated(id(0), new Rect(-5, H - 1, Integer.MAX_VALUE, 100), Pixels.of(solid(0xff000003)));
        png = awaitPng(0, 3);
        assertEquals(0xff000003, png.getRGB(W - 1, H - 1));
        assertEquals(0xff000003, png.getRGB(0, H - 1));
        assertEquals(0xff000002, png.getRGB(2, 1));
    }

    @Test
    public void frameAfterAScanoutChangeIsTakenWhole() throws Exception {
        viewer = start(0);
        viewer.frameUpdated(id(0), new Rect(0, 0, W, H), Pixels.of(solid(0xff000001)));
        awaitPng(0, 1);
        viewer.scanoutChanged(id(0), new Scanout(2, Formats.B8G8R8X8_UNORM, 0, 0, W, H));
        viewer.frameUpdated(id(0), new Rect(0, 0, 1, 1), Pixels.of(solid(0xff000002)));
        assertEquals(0xff000002, awaitPng(0, 2).getRGB(W - 1, H - 1));
    }

    @Test
    public void aReadThatIsNotWholeIsShownWithTheNextUpdate() throws Exception {
        viewer = start(0);
        Pixels under = Pixels.of(solid(0xff010203));
        viewer.frameUpdated(id(0), new Rect(0, 0, W, H), new Pixels() {
            @Override
            public int format() {
                return under.format();
            }

            @Override
            public int width() {
                return W;
            }

            @Override
            public int height() {
                return H;
            }

            @Override
            public boolean read(java.util.function.Consumer<Frame> reader) {
                under.read(reader);
                return false;
            }
        });
        viewer.frameUpdated(id(0), new Rect(0, 0, 1, 1), Pixels.of(solid(0xff445566)));
        BufferedImage png = awaitPng(0, 1);
        assertEquals(0xff445566, png.getRGB(0, 0));
        assertEquals("the torn rectangle was read again with the next update", 0xff445566, png.getRGB(W - 1, H - 1));
    }

    @Test
    public void frameInAFormatItCannotShowIsDropped() throws Exception {
        viewer = start(0);
        viewer.frameUpdated(id(0), new Rect(0, 0, W, H), Pixels.of(new Frame(999, W, H, W * 4, ByteBuffer.allocate(W * H * 4))));
        viewer.frameUpdated(id(0), new Rect(0, 0, W, H), Pixels.of(solid(0xff00ff00)));
        assertEquals(0xff00ff00, awaitPng(0, 1).getRGB(0, 0));
        assertTrue(get("/status.json", "application/json").contains("\"framesReceived\":1,"));
    }

    @Test
    public void pageIsServedAndUnknownPathsAreNotFound() throws Exception {
        viewer = start(0);
        String page = get("/", "text/html;charset=utf-8");
        assertTrue(page, page.contains("new WebSocket("));
        assertEquals(404, status("/scanout/0.png"));
        assertEquals(404, status("/scanout/x.png"));
        assertEquals(404, status("/nothing"));
    }

    @Test
    public void requestNamingAnotherHostIsRefused() throws Exception {
        viewer = start(0);
        assertTrue(raw("GET / HTTP/1.1\r\nHost: attacker.example:" + served.port() + "\r\n\r\n")
                .startsWith("HTTP/1.1 421 "));
        assertTrue(raw("GET / HTTP/1.1\r\nHost: localhost:" + served.port() + "\r\n\r\n").startsWith("HTTP/1.1 200 "));
        assertTrue(raw("GET / HTTP/1.1\r\nHost: [::1]:" + served.port() + "\r\n\r\n").startsWith("HTTP/1.1 200 "));
        String upgrade = "GET /ws HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: %s\r\n\r\n";
        String refused = firstLine(String.format(upgrade, "attacker.example", "http://attacker.example"));
        assertTrue(refused, refused.startsWith("HTTP/1.1 421 "));
        String local = "127.0.0.1:" + served.port();
        String foreignPage = firstLine(String.format(upgrade, local, "http://attacker.example"));
        assertTrue(foreignPage, foreignPage.startsWith("HTTP/1.1 403 "));
        assertTrue(firstLine(String.format(upgrade, local, "http://" + local)).startsWith("HTTP/1.1 101 "));
    }

    @Test
    public void malformedOrUnsupportedRequestsGetTheirStatus() throws Exception {
        viewer = start(0);
        assertTrue(raw("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").startsWith("HTTP/1.1 405 "));
        assertTrue(raw("GET / HTTP/1.1\r\n\r\n").startsWith("HTTP/1.1 400 "));
        String head = raw("HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        assertTrue(head, head.startsWith("HTTP/1.1 200 ") && head.endsWith("\r\n\r\n"));
    }

    @Test
    public void closeEndsEventStreamsAndStopsListening() throws Exception {
        viewer = start(0);
        int port = served.port();
        Events events = new Events();
        events.next("keepalive");
        served.close();
        served = null;
        assertEquals("stream ended", events.end());
        try (Socket s = new Socket("127.0.0.1", port)) {
            fail("still listening on " + port);
        } catch (IOException expected) {
            // refused: nothing listens any more
        }
    }

    // ---- helpers ----

    private WebViewer start(long minIntervalMs) throws Exception {
        served = ServedViewer.start(minIntervalMs);
        return served.viewer();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + served.port() + path);
    }

    private String get(String path, String contentType) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(path, 200, r.statusCode());
        assertEquals(contentType, r.headers().firstValue("content-type").orElse(null));
        return r.body();
    }

    private byte[] getBytes(String path) throws Exception {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(uri(path)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(path, 200, r.statusCode());
        return r.body();
    }

    private int status(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** Fetches scanout {@code id}'s PNG until it is encoded frame {@code seq} or later. */
    private BufferedImage awaitPng(int id, long seq) throws Exception {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        String saw = "";
        while (System.currentTimeMillis() < deadline) {
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(uri("/scanout/" + id + ".png")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            saw = r.statusCode() + " " + r.headers().firstValue("x-neep-frame").orElse("");
            if (r.statusCode() == 200 && Long.parseLong(r.headers().firstValue("x-neep-frame").orElseThrow()) >= seq) {
                assertEquals("image/png", r.headers().firstValue("content-type").orElse(null));
                return ImageIO.read(new ByteArrayInputStream(r.body()));
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no frame " + seq + " of scanout " + id + " after " + WAIT_MS + " ms; last saw " + saw);
    }

    private String raw(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", served.port())) {
            s.setSoTimeout((int) WAIT_MS);
            OutputStream out = s.getOutputStream();
            // The server would keep the connection open for the next request.
            String closing = request.contains("\r\nConnection: ") ? request
                    : request.substring(0, request.length() - 2) + "Connection: close\r\n\r\n";
            out.write(closing.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    /** The status line of the answer to {@code request}, for answers that keep the connection open. */
    private String firstLine(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", served.port())) {
            s.setSoTimeout((int) WAIT_MS);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1)).readLine();
        }
    }

    /**
     * The WebSocket {@code /ws}, its messages queued as they come: a text message as its event
     * name and its JSON without the name, a frame as {@code frame} with its scanout, number and
     * picture size and {@code rect} with its rectangle.
     */
    private final class Events implements AutoCloseable, WebSocket.Listener {
        private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
        private final StringBuilder text = new StringBuilder();
        private ByteBuffer binary = ByteBuffer.allocate(0);
        private final WebSocket socket;

        Events() throws Exception {
            socket = http.newWebSocketBuilder().header("Origin", "http://127.0.0.1:" + served.port())
                    .buildAsync(URI.create("ws://127.0.0.1:" + served.port() + "/ws"), this)
                    .get(WAIT_MS, TimeUnit.MILLISECONDS);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                String json = text.toString();
                text.setLength(0);
                int comma = json.indexOf(',');
                String name = json.substring("{\"event\":\"".length(), json.indexOf('"', "{\"event\":\"".length()));
                received.add(name + " " + (comma < 0 ? "{}" : "{" + json.substring(comma + 1)));
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            ByteBuffer joined = ByteBuffer.allocate(binary.remaining() + data.remaining());
            binary = joined.put(binary).put(data).flip();
            if (last) {
                ByteBuffer b = binary;
                received.add("frame {\"id\":" + b.getInt(0) + ",\"seq\":" + b.getInt(4) + ",\"width\":" + b.getInt(8)
                        + ",\"height\":" + b.getInt(12) + "}");
                received.add("rect " + b.getInt(16) + "," + b.getInt(20) + " " + b.getInt(24) + "x" + b.getInt(28));
                binary = ByteBuffer.allocate(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            received.add("end stream ended");
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            received.add("end " + error);
        }

        /** The data of the next event named {@code name}; events of other names before it are skipped. */
        String next(String name) throws InterruptedException {
            return await(e -> e.startsWith(name + " "), name).substring(name.length() + 1);
        }

        String end() throws InterruptedException {
            return await(e -> e.startsWith("end "), "end").substring(4);
        }

        private String await(Predicate<String> wanted, String what) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
            StringBuilder skipped = new StringBuilder();
            while (true) {
                String e = received.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (e == null) {
                    throw new AssertionError("no " + what + " event after " + WAIT_MS + " ms; skipped: " + skipped);
                }
                if (wanted.test(e)) {
                    return e;
                }
                skipped.append(e).append("; ");
            }
        }

        @Override
        public void close() {
            socket.abort();
        }
    }

    /** Alphas 0, 1, 0x80, 0xfe, 0xff with colours that would show any channel swap or premultiplication. */
    static int[] testPicture() {
        int[] alphas = {0x00, 0x01, 0x80, 0xfe, 0xff};
        int[] argb = new int[W * H];
        for (int i = 0; i < argb.length; i++) {
            argb[i] = alphas[i % alphas.length] << 24 | (0x12 + i * 17) << 16 & 0xff0000
                    | (0x34 + i * 29) << 8 & 0xff00 | (0x56 + i * 41) & 0xff;
        }
        return argb;
    }

    /**
     * A frame of {@code format} holding {@code argb}, written through {@link Formats#fromArgb} with
     * stride padding and bytes before the buffer's position.
     */
    static Frame frameOf(int format, int[] argb) {
        int stride = W * 4 + 12;
        int base = 5;
        ByteBuffer buf = ByteBuffer.allocate(base + stride * H);
        for (int y = 0; y < H; y++) {
            Formats.fromArgb(format, argb, y * W, buf, base + y * stride, W);
        }
        return new Frame(format, W, H, stride, buf.position(base).asReadOnlyBuffer());
    }

    private static Frame solid(int argb) {
        ByteBuffer buf = ByteBuffer.allocate(W * H * 4);
        Formats.fromArgb(Formats.B8G8R8X8_UNORM, fill(argb), 0, buf, 0, W * H);
        return new Frame(Formats.B8G8R8X8_UNORM, W, H, W * 4, buf.asReadOnlyBuffer());
    }

    private static int[] fill(int argb) {
        int[] px = new int[W * H];
        Arrays.fill(px, argb);
        return px;
    }

    private static ScanoutId id(int scanout) {
        return new ScanoutId(ScanoutId.DEFAULT_DEVICE, scanout);
    }
}
