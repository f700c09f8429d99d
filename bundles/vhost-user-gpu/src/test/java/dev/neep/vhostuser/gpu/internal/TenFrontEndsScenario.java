package dev.neep.vhostuser.gpu.internal;

import static dev.neep.gpu.protocol.CtrlType.RESP_OK_NODATA;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assume.assumeTrue;

import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.api.GpuBackendProvider;
import dev.neep.gpu.device.DeviceConfig;
import dev.neep.gpu.device.VirtioGpu;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.GpuFeatures;
import dev.neep.gpu.protocol.Rect;
import dev.neep.gpu.protocol.ResourceFlush;
import dev.neep.testkit.GpuDriver;
import dev.neep.testkit.GpuDriver.PatternResource;
import dev.neep.testkit.TrackingProvider;
import dev.neep.vhostuser.frontend.FrontEnd;
import dev.neep.vhostuser.sys.Posix;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Ten front ends in a row on one device, one backend instance and one vhost-user server, as
 * QEMU restarted ten times against one {@code ./neep serve}. Each round a front end connects,
 * its driver draws the test pattern on scanout 0, defines a cursor, creates a context where the
 * backend has contexts (attaching both resources to it) and waits for fenced commands on the
 * global timeline and the context's ring; the display must show the pattern pixel for pixel.
 * Then odd rounds reset the device (RESET_DEVICE) and leave, even rounds drop the connection
 * with everything live.
 *
 * <p>After the ten rounds: the device and the backend hold no resource or context, the backend
 * was opened once, the process has exactly the descriptors it had after round 2 (once both ways
 * of leaving have run), and nothing was logged at WARN or ERROR, no {@code context not found}
 * in particular. Subclasses name the backend; each runs in a JVM of its own, and skips with the
 * reason where its library is missing.
 */
public abstract class TenFrontEndsScenario {

    static final int ROUNDS = 10;
    private static final int W = 320;
    private static final int H = 200;
    private static final int CURSOR = 64;
    private static final long RAM = 8 << 20;
    private static final long FEATURES = GpuFeatures.mask(GpuFeatures.EDID) | GpuFeatures.mask(GpuFeatures.VIRGL)
            | GpuFeatures.mask(GpuFeatures.CONTEXT_INIT);

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private PrintStream stderr;
    private VirtioGpu device;
    private TrackingProvider tracking;
    private ServedGpu served;

    /** The backend's provider, as a VMM wires it in plain Java. */
    abstract GpuBackendProvider provider();

    /** The {@code context_init} of each round's context (its capset must be offered). */
    abstract int contextInit();

    /** Why this backend cannot run here, or null. */
    String unavailable() {
        return null;
    }

    @Before
    public void start() throws Exception {
        assumeTrue("native access: " + Posix.unavailableReason(), Posix.unavailableReason() == null);
        String why = unavailable();
        assumeTrue(why, why == null);
        stderr = System.err;
        System.setErr(new PrintStream(new Tee(stderr, captured), true, StandardCharsets.UTF_8));
        device = VirtioGpu.create(new DeviceConfig(1, W, H, false, DeviceConfig.DEFAULT_MAX_HOSTMEM));
        tracking = new TrackingProvider(provider());
        try {
            device.useProvider(tracking);
        } catch (GpuBackendException e) {
            String message = String.valueOf(e.getMessage());
            assumeTrue(message, !message.contains("not available") && !message.contains("feature not enabled"));
            throw e;
        }
        served = ServedGpu.serve(tmp.getRoot().toPath(), device);
    }

    @After
    public void stop() {
        ServedGpu.close(served, device);
        if (stderr != null) {
            System.setErr(stderr);
        }
    }

    @Test
    public void tenFrontEndsInARowLeaveNothingBehindAndEachPictureIsPixelExact() throws Exception {
        long started = System.nanoTime();
        Map<Integer, String> afterRound2 = Map.of();
        for (int round = 1; round <= ROUNDS; round++) {
            runRound(round, round % 2 == 1);
            awaitReleased(round);
            if (round == 2) {
                afterRound2 = settledDescriptors(Map.of());
            }
        }
        Map<Integer, String> afterRound10 = settledDescriptors(afterRound2);
        double seconds = (System.nanoTime() - started) / 1e9;
        System.setErr(stderr);
        String log = captured.toString(StandardCharsets.UTF_8);
        List<String> complaints = log.lines().filter(l -> l.contains(" WARN ") || l.contains(" ERROR ")
                || l.contains("context not found")).collect(Collectors.toList());
        System.out.printf("TEN-FRONT-ENDS backend=%s rounds=%d backend_opens=%d resources_left=%d/%d contexts_left=%d/%d"
                + " backings_left=%d fds_after_round_2=%d fds_after_round_10=%d same_fds=%s log_lines=%d"
                + " warn_or_error_lines=%d seconds=%.1f%n", device.backendKind(), ROUNDS, tracking.opened(), device.resourceCount(),
                tracking.liveResources(), device.contextCount(), tracking.liveContexts(), tracking.liveBackings(),
                afterRound2.size(), afterRound10.size(), afterRound2.equals(afterRound10), log.lines().count(),
                complaints.size(), seconds);

        assertEquals("the backend was opened once, for all ten front ends", 1, tracking.opened());
        assertEquals(1, tracking.openInstances());
        assertEquals(0, device.resourceCount());
        assertEquals(0, device.contextCount());
        assertEquals(0, device.hostMemoryUsed());
        assertEquals(0, device.parkedFences());
        assertEquals("resources left in the backend", 0, tracking.liveResources());
        assertEquals("contexts left in the backend", 0, tracking.liveContexts());
        assertEquals("backings left in the backend", 0, tracking.liveBackings());
        assertEquals("descriptors open after round 2 and after round 10", afterRound2, afterRound10);
        assertEquals("nothing logged at WARN or ERROR", List.of(), complaints);
    }

    private void runRound(int round, boolean resetFirst) throws Exception {
        try (RemoteGpu gpu = new RemoteGpu(new FrontEnd(served.socket, RAM), W, H)) {
            GpuDriver driver = gpu.startDriver(FEATURES);
            Rect all = new Rect(0, 0, W, H);
            PatternResource screen = driver.drawPattern(W, H);
            int cursor = driver.newResourceId();
            requireOk("cursor RESOURCE_CREATE_2D", driver.resourceCreate2d(cursor, Formats.B8G8R8A8_UNORM, CURSOR,
                    CURSOR));
            requireOk("cursor ATTACH_BACKING", driver.attachBacking(cursor,
                    driver.allocateBacking(CURSOR * CURSOR * 4L)));
            requireOk("cursor TRANSFER_TO_HOST_2D", driver.transferToHost2d(cursor, new Rect(0, 0, CURSOR, CURSOR), 0));
            driver.updateCursor(0, 10 * round, 5 * round, cursor, 0, 0);
            if (driver.hasGpuFeature(GpuFeatures.VIRGL)) {
                int ctx = driver.newContextId();
                requireOk("CTX_CREATE", driver.ctxCreate(ctx, contextInit(), "round " + round));
                requireOk("CTX_ATTACH_RESOURCE", driver.ctxAttachResource(ctx, screen.resourceId()));
                requireOk("CTX_ATTACH_RESOURCE", driver.ctxAttachResource(ctx, cursor));
                if (driver.hasGpuFeature(GpuFeatures.CONTEXT_INIT)) {
                    requireOk("fenced RESOURCE_FLUSH on the context's ring 0", driver.submit(new ResourceFlush(
                            driver.fencedHeader(CtrlType.CMD_RESOURCE_FLUSH, ctx, 0), all, screen.resourceId()))
                            .await().hdr());
                }
            }
            requireOk("fenced RESOURCE_FLUSH", driver.submit(new ResourceFlush(
                    driver.fencedHeader(CtrlType.CMD_RESOURCE_FLUSH, 0), all, screen.resourceId())).await().hdr());
            gpu.display.awaitPattern(W, H);
            if (resetFirst) {
                driver.close(); // RESET_DEVICE, then the front end leaves
            } else {
                gpu.peer.dropConnection(); // the front end dies with everything live
            }
        }
    }

    private static void requireOk(String what, dev.neep.gpu.protocol.CtrlHdr answer) {
        assertEquals(what + " answered " + CtrlType.name(answer.type()), RESP_OK_NODATA, answer.type());
    }

    private void awaitReleased(int round) throws InterruptedException {
        long end = System.currentTimeMillis() + 10_000;
        while ((device.active() || device.resourceCount() != 0 || tracking.liveResources() != 0)
                && System.currentTimeMillis() < end) {
            Thread.sleep(10);
        }
        assertFalse("round " + round + ": the device is still active", device.active());
        assertEquals("round " + round + ": resources left", 0, tracking.liveResources());
        assertEquals("round " + round + ": contexts left", 0, tracking.liveContexts());
    }

    /**
     * The open descriptors once the server has closed what the last session held (it does so on
     * its own thread after the device reset): as soon as they equal {@code expected}, else once
     * they stayed the same for 200 ms, waiting at most 5 s.
     */
    private static Map<Integer, String> settledDescriptors(Map<Integer, String> expected)
            throws IOException, InterruptedException {
        long end = System.currentTimeMillis() + 5_000;
        Map<Integer, String> last = openDescriptors();
        while (!last.equals(expected) && System.currentTimeMillis() < end) {
            Thread.sleep(200);
            Map<Integer, String> now = openDescriptors();
            if (now.equals(last) && expected.isEmpty()) {
                return now;
            }
            last = now;
        }
        return last;
    }

    /** This process's open descriptors and what each is, from /proc/self/fd. */
    private static Map<Integer, String> openDescriptors() throws IOException {
        Map<Integer, String> open = new TreeMap<>();
        Path fds = Paths.get("/proc/self/fd");
        try (Stream<Path> list = Files.list(fds)) {
            for (Path fd : (Iterable<Path>) list::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (!target.startsWith("/proc/")) { // the listing's own directory
                        open.put(Integer.parseInt(fd.getFileName().toString()), target);
                    }
                } catch (IOException e) {
                    // closed while listed: not open
                }
            }
        }
        return open;
    }

    /** Writes to two streams: the test's output stays visible while it is checked. */
    private static final class Tee extends OutputStream {
        private final OutputStream first;
        private final OutputStream second;

        Tee(OutputStream first, OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public synchronized void write(int b) throws IOException {
            first.write(b);
            second.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            first.write(b, off, len);
            second.write(b, off, len);
        }

        @Override
        public synchronized void flush() throws IOException {
            first.flush();
            second.flush();
        }
    }
}
