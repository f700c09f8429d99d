package dev.neep.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.AfterClass;
import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;

/**
 * neep in a real Karaf, as an integrator installs it: the features repository added by its
 * documented URL, the embedded default first (the device starts), then every other feature
 * while the device runs. Karaf's verbose install lists every bundle it refreshes: there must
 * be none, and the device must not start a second time. Then the backend is swapped from the
 * shell with {@code config:property-set}, and every neep bundle is Active.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class KarafFeaturesIT {
    private static final String DEVICE_STARTED = "virtio-gpu device started";
    /**
     * Every feature but the embedded default, installed while the device runs (neep-display-web
     * brings Karaf's HTTP service, on the free port {@link Karaf} gives it).
     */
    private static final List<String> LATER_FEATURES = List.of("neep-backend-virgl", "neep-backend-rutabaga",
            "neep-display-png", "neep-display-web", "neep-display-window", "neep-vhost-user-gpu", "neep-gpu-pci", "neep-gpu-vga",
            "neep-testkit");
    private static final Path VIRGL = Path.of("/usr/lib/x86_64-linux-gnu/libvirglrenderer.so.1");

    private static Karaf karaf;

    @BeforeClass
    public static void startKaraf() throws Exception {
        String version = System.getProperty("neep.version");
        Path work = Path.of(System.getProperty("neep.work"));
        Karaf.deleteTree(work);
        Path repo = Karaf.neepRepository(work.resolve("neep-repository"), Karaf.paths(System.getProperty("neep.bundles")),
                Path.of(System.getProperty("neep.features")), version);
        karaf = Karaf.start(Path.of(System.getProperty("neep.karaf.archive")), work, repo,
                Path.of(System.getProperty("neep.local.repository")));
        String added = karaf.shell("feature:repo-add mvn:dev.neep/neep-features/" + version + "/xml/features",
                "feature:repo-list --no-format");
        assertTrue(added, added.contains("mvn:dev.neep/neep-features/" + version + "/xml/features"));
    }

    @AfterClass
    public static void stopKaraf() throws InterruptedException {
        if (karaf != null) {
            karaf.close();
        }
    }

    @Test
    public void a_theEmbeddedDefaultRefreshesNothingAndStartsTheDevice() throws Exception {
        karaf.shell("feature:install -v neep");
        assertEquals("bundles refreshed by feature:install neep", List.of(), refreshed());
        awaitLog(DEVICE_STARTED, 1);
        // The feature brings the headless sink's configuration, without which it does not run.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String headless = "service:list dev.neep.display.headless.HeadlessDisplay";
        String services = karaf.shell(headless);
        while (!services.contains("HeadlessDisplayComponent")) {
            if (System.nanoTime() > deadline) {
                fail("the headless sink is not active: " + headless + " says\n" + services
                        + "\nconfig:list says\n" + karaf.shell("config:list \"(service.pid=dev.neep.display.headless)\""));
            }
            Thread.sleep(200);
            services = karaf.shell(headless);
        }
    }

    @Test
    public void b_everyOtherFeatureRefreshesNothingAndLeavesTheDeviceRunning() throws Exception {
        for (String feature : LATER_FEATURES) {
            karaf.shell("feature:install -v " + feature);
            assertEquals("bundles refreshed by feature:install " + feature, List.of(), refreshed());
        }
        Thread.sleep(2000);
        assertEquals("the device started again: it was restarted", 1, count(karaf.log(), DEVICE_STARTED));
    }

    @Test
    public void c_theBackendIsSwappedFromTheShell() throws Exception {
        Assume.assumeTrue("libvirglrenderer1 is not installed (" + VIRGL + "): no virgl backend to swap to",
                Files.exists(VIRGL));
        karaf.shell("config:property-set -p dev.neep.gpu backend virgl");
        awaitLog("virtio-gpu backend 'virgl' open", 1);
        karaf.shell("config:property-set -p dev.neep.gpu backend 2d");
        awaitLog("virtio-gpu backend '2d' open", 2);
    }

    @Test
    public void d_theVhostUserServerListensOnceConfigured() throws Exception {
        Path socket = Path.of(System.getProperty("neep.work"), "gpu.sock");
        karaf.shell("config:property-set -p dev.neep.vhostuser socket_path " + socket);
        awaitLog("listening on " + socket, 1);
        assertTrue(socket + " is not a socket", Files.exists(socket));
    }

    @Test
    public void e_everyNeepBundleIsActive() throws Exception {
        String list = karaf.shell("bundle:list -t 0 -s --no-format");
        List<String> neep = list.lines().filter(l -> l.contains("dev.neep.")).toList();
        assertTrue(list, neep.size() >= 20);
        for (String line : neep) {
            // Karaf shows a bundle whose DS component waits for a service as "Waiting": gpu-pci's
            // function waits, as documented, for the embedding VMM's GuestMemory service
            boolean waitsForTheVmm = line.trim().endsWith("dev.neep.gpu-pci") && line.contains("Waiting");
            assertTrue("not active: " + line + "\nall bundles:\n" + list, line.contains("Active") || waitsForTheVmm);
        }
        for (String line : list.lines().filter(l -> l.matches("\\s*\\d+\\s*\\|.*")).toList()) {
            assertTrue("a bundle not active or resolved: " + line,
                    line.contains("Active") || line.contains("Resolved"));
        }
    }

    @Test
    public void f_theWebViewerAnswersOnKarafsHttpServiceAndRefusesOtherHosts() throws Exception {
        String local = "127.0.0.1:" + karaf.httpPort();
        String page = "GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n";
        String upgrade = "GET /ws HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                + "Origin: http://%s\r\n\r\n";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        String answer = "";
        while (!answer.startsWith("HTTP/1.1 200 ")) {
            if (System.nanoTime() > deadline) {
                fail("no page on Karaf's HTTP service at " + local + " within 120 s; last: " + answer);
            }
            Thread.sleep(500);
            answer = statusLine(String.format(page, local));
        }
        assertTrue(statusLine(String.format(page, "attacker.example")).startsWith("HTTP/1.1 421 "));
        String ws = statusLine(String.format(upgrade, local, local));
        assertTrue(ws, ws.startsWith("HTTP/1.1 101 "));
    }

    /** The status line of the answer to {@code request} at Karaf's HTTP port, or the failure. */
    private static String statusLine(String request) {
        try (Socket s = new Socket("127.0.0.1", karaf.httpPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1))
                    .readLine();
            return line == null ? "no answer" : line;
        } catch (IOException e) {
            return e.toString();
        }
    }

    /**
     * Every bundle Karaf's feature installs have refreshed so far, with the reason, from its
     * log: its shell's own output loses them when the refresh takes the shell down with it.
     */
    private static List<String> refreshed() throws IOException {
        List<String> bundles = new ArrayList<>();
        boolean inSection = false;
        for (String line : karaf.log().lines().toList()) {
            String message = line.substring(line.lastIndexOf(" | ") + 3);
            if (message.equals("Refreshing bundles:")) {
                inSection = true;
            } else if (inSection && message.startsWith("    ")) {
                bundles.add(message.trim());
            } else {
                inSection = false;
            }
        }
        return bundles;
    }

    private static void awaitLog(String text, int times) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (count(karaf.log(), text) < times) {
            if (System.nanoTime() > deadline) {
                fail("\"" + text + "\" not " + times + " time(s) in Karaf's log within 120 s; the log's neep lines:\n"
                        + String.join("\n", karaf.log().lines().filter(l -> l.contains("dev.neep")).toList()));
            }
            Thread.sleep(500);
        }
    }

    private static int count(String text, String part) {
        Matcher m = Pattern.compile(Pattern.quote(part)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
