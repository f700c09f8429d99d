package dev.neep.display.web.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

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
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.After;
import org.junit.Test;

/**
 * The page in a real browser: headless Chromium (Debian package {@code chromium}) opens the
 * viewer, and once the page says it has drawn frame 1, a screenshot taken through the DevTools
 * protocol must show the frame and the cursor over it pixel for pixel, the canvas must read back
 * pixel for pixel, the status line must say it is connected and give the scanout's resolution,
 * frame rate and last update, and in a narrow window the canvas must shrink to fit, keeping its
 * shape. Skipped, saying why, where Chromium is not installed.
 */
public class BrowserPageTest {
    private static final int W = 64;
    private static final int H = 48;
    private static final int LEFT = 0xffcc2233;
    private static final int RIGHT = 0xff2244cc;
    private static final int CURSOR = 0xff00dd00;
    private static final long WAIT_MS = 30_000;

    private ServedViewer served;
    private WebViewer viewer;
    private Process browser;
    private Path profile;

    @After
    public void stop() throws Exception {
        if (browser != null) {
            browser.descendants().forEach(ProcessHandle::destroy);
            browser.destroy();
            if (!browser.waitFor(5, TimeUnit.SECONDS)) {
                browser.destroyForcibly();
            }
        }
        if (served != null) {
            served.close();
        }
        if (profile != null) {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    @Test
    public void pageDrawsTheFrameWithTheCursorOverIt() throws Exception {
        Path chromium = Stream.of("/usr/bin/chromium", "/usr/bin/chromium-browser").map(Path::of)
                .filter(Files::isExecutable).findFirst().orElse(null);
        assumeTrue("Chromium is not installed (Debian package chromium): the page is not checked in a browser",
                chromium != null);

        served = ServedViewer.start(0);
        viewer = served.viewer();
        int[] px = new int[W * H];
        for (int i = 0; i < px.length; i++) {
            px[i] = i % W < W / 2 ? LEFT : RIGHT;
        }
        ByteBuffer buf = ByteBuffer.allocate(W * H * 4);
        Formats.fromArgb(Formats.B8G8R8X8_UNORM, px, 0, buf, 0, px.length);
        viewer.scanoutChanged(id(0), new Scanout(1, Formats.B8G8R8X8_UNORM, 0, 0, W, H));
        viewer.frameUpdated(id(0), new Rect(0, 0, W, H), Pixels.of(new Frame(Formats.B8G8R8X8_UNORM, W, H, W * 4, buf)));
        int[] cursor = new int[8 * 8];
        Arrays.fill(cursor, CURSOR);
        viewer.cursorDefined(id(0), new CursorImage(8, 8, 2, 3, cursor));
        viewer.cursorMoved(id(0), 40, 10);

        profile = Files.createTempDirectory("neep-chromium-");
        // The flags that keep Chromium off the network and quiet on a machine without one.
        browser = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile, "--force-color-profile=srgb", "--hide-scrollbars",
                "--window-size=400,300", "--remote-debugging-port=0", "about:blank").start();
        String endpoint = devToolsEndpoint(browser);
        try (DevTools devTools = new DevTools(endpoint)) {
            String target = devTools.call(null, "Target.createTarget", "{\"url\":\"" + served.url() + "\"}", "targetId");
            String session = devTools.call(null, "Target.attachToTarget",
                    "{\"targetId\":\"" + target + "\",\"flatten\":true}", "sessionId");
            String drawn = "document.querySelector('#scanout-0')?.dataset.frame === '1'"
                    + " && document.querySelector('#scanout-0 img.cursor').complete"
                    + " && document.querySelector('#scanout-0 img.cursor').naturalWidth === 8";
            long deadline = System.currentTimeMillis() + WAIT_MS;
            while (!devTools.call(session, "Runtime.evaluate", "{\"expression\":\"" + drawn
                    + "\",\"returnByValue\":true}", "value").equals("true")) {
                assertTrue("the page did not draw frame 1 and the cursor within " + WAIT_MS + " ms",
                        System.currentTimeMillis() < deadline);
                Thread.sleep(50);
            }
            String png = devTools.call(session, "Page.captureScreenshot", "{\"format\":\"png\"}", "data");
            byte[] bytes = Base64.getDecoder().decode(png);
            Files.write(Path.of("target", "browser-page.png"), bytes);
            checkScreenshot(ImageIO.read(new ByteArrayInputStream(bytes)));

            // the canvas itself, read back pixel for pixel: differing pixels, counted by the page
            String canvas = "(() => { const c = document.querySelector('#scanout-0 canvas');"
                    + " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let bad = 0;"
                    + " for (let i = 0; i < d.length; i += 4) { const left = (i / 4) % c.width < c.width / 2;"
                    + " const want = left ? [0xcc, 0x22, 0x33] : [0x22, 0x44, 0xcc];"
                    + " if (d[i] !== want[0] || d[i + 1] !== want[1] || d[i + 2] !== want[2] || d[i + 3] !== 255) bad++; }"
                    + " return c.width + 'x' + c.height + ' ' + bad; })()";
            assertEquals("canvas size and pixels that differ", W + "x" + H + " 0", evaluate(devTools, session, canvas));

            // the status: connected, and the scanout's resolution, frame rate and last update
            String link = "document.getElementById('link').textContent";
            String title = "document.querySelector('#scanout-0 h2').textContent";
            assertEquals(evaluate(devTools, session, link), "true",
                    evaluate(devTools, session, link + ".startsWith('connected to ')"));
            String titleOk = title + ".includes('" + W + "' + String.fromCharCode(215) + '" + H + "')"
                    + " && /[0-9]+ fps/.test(" + title + ") && /last update [0-9]/.test(" + title + ")";
            assertEquals(evaluate(devTools, session, title), "true", evaluate(devTools, session, titleOk));

            // a window smaller than the scanout: the canvas shrinks to fit it, keeping its shape
            devTools.call(session, "Emulation.setDeviceMetricsOverride",
                    "{\"width\":48,\"height\":120,\"deviceScaleFactor\":1,\"mobile\":false}", "id");
            String fitted = "(() => { const c = document.querySelector('#scanout-0 canvas');"
                    + " return c.clientWidth <= 48 - 16 && Math.abs(c.clientWidth / c.clientHeight - "
                    + W + " / " + H + ") < 0.1; })()";
            long fitDeadline = System.currentTimeMillis() + WAIT_MS;
            while (!evaluate(devTools, session, fitted).equals("true")) {
                assertTrue("the canvas did not shrink to the window: "
                        + evaluate(devTools, session, "(() => { const c = document.querySelector('#scanout-0 canvas');"
                                + " return c.clientWidth + 'x' + c.clientHeight; })()"),
                        System.currentTimeMillis() < fitDeadline);
                Thread.sleep(50);
            }
        }
    }

    private static String evaluate(DevTools devTools, String session, String expression) throws Exception {
        return devTools.call(session, "Runtime.evaluate", "{\"expression\":\"" + expression
                + "\",\"returnByValue\":true}", "value");
    }

    /** Finds the frame by its left half's colour, then checks every pixel of it. */
    private static void checkScreenshot(BufferedImage shot) {
        int left = -1;
        int top = -1;
        search:
        for (int y = 0; y < shot.getHeight(); y++) {
            for (int x = 0; x < shot.getWidth(); x++) {
                if ((shot.getRGB(x, y) | 0xff000000) == LEFT) {
                    left = x;
                    top = y;
                    break search;
                }
            }
        }
        assertTrue("no pixel of the frame's colour in the screenshot (target/browser-page.png)", left >= 0);
        assertTrue("frame cut off at the screenshot's edge", left + W <= shot.getWidth() && top + H <= shot.getHeight());
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                // The cursor's hot spot (2, 3) sits on (40, 10): its top-left corner is at (38, 7).
                boolean underCursor = x >= 38 && x < 46 && y >= 7 && y < 15;
                int want = underCursor ? CURSOR : x < W / 2 ? LEFT : RIGHT;
                assertEquals("page pixel (" + x + "," + y + ") (target/browser-page.png)", Integer.toHexString(want),
                        Integer.toHexString(shot.getRGB(left + x, top + y) | 0xff000000));
            }
        }
    }

    private static String devToolsEndpoint(Process browser) throws Exception {
        BufferedReader err = new BufferedReader(new InputStreamReader(browser.getErrorStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> found = CompletableFuture.supplyAsync(() -> {
            StringBuilder seen = new StringBuilder();
            try {
                for (String line = err.readLine(); line != null; line = err.readLine()) {
                    int at = line.indexOf("DevTools listening on ");
                    if (at >= 0) {
                        // Keep draining, or Chromium blocks once the pipe is full.
                        Thread drain = new Thread(() -> {
                            try {
                                err.transferTo(java.io.Writer.nullWriter());
                            } catch (IOException e) {
                                // the browser has gone
                            }
                        }, "chromium-stderr");
                        drain.setDaemon(true);
                        drain.start();
                        return line.substring(at + "DevTools listening on ".length()).trim();
                    }
                    seen.append(line).append('\n');
                }
            } catch (IOException e) {
                seen.append(e);
            }
            throw new IllegalStateException("Chromium ended without a DevTools endpoint:\n" + seen);
        });
        return found.get(WAIT_MS, TimeUnit.MILLISECONDS);
    }

    /** Just enough of the Chrome DevTools protocol: numbered calls, one string field of each answer. */
    private static final class DevTools implements WebSocket.Listener, AutoCloseable {
        private final Map<Integer, CompletableFuture<String>> pending = new ConcurrentHashMap<>();
        private final StringBuilder message = new StringBuilder();
        private final WebSocket socket;
        private int nextId;

        DevTools(String endpoint) throws Exception {
            socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(URI.create(endpoint), this)
                    .get(WAIT_MS, TimeUnit.MILLISECONDS);
        }

        /** Calls {@code method} and returns the answer's {@code field} (a string, number or boolean). */
        String call(String session, String method, String params, String field) throws Exception {
            int id = ++nextId;
            CompletableFuture<String> answer = new CompletableFuture<>();
            pending.put(id, answer);
            socket.sendText("{\"id\":" + id + (session == null ? "" : ",\"sessionId\":\"" + session + "\"")
                    + ",\"method\":\"" + method + "\",\"params\":" + params + "}", true).get(WAIT_MS, TimeUnit.MILLISECONDS);
            String json = answer.get(WAIT_MS, TimeUnit.MILLISECONDS);
            Matcher m = Pattern.compile("\"" + field + "\":(?:\"([^\"]*)\"|([^,}\"]+))").matcher(json);
            assertTrue(method + " answered without " + field + ": " + json, m.find());
            return m.group(1) != null ? m.group(1) : m.group(2);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            message.append(data);
            if (last) {
                String json = message.toString();
                message.setLength(0);
                Matcher id = Pattern.compile("^\\{\"id\":([0-9]+),").matcher(json);
                if (id.find()) {
                    CompletableFuture<String> answer = pending.remove(Integer.parseInt(id.group(1)));
                    if (answer != null) {
                        answer.complete(json);
                    }
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public void close() {
            socket.abort();
        }
    }

    private static ScanoutId id(int scanout) {
        return new ScanoutId(ScanoutId.DEFAULT_DEVICE, scanout);
    }
}
