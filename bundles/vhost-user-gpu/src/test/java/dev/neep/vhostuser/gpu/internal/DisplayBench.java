package dev.neep.vhostuser.gpu.internal;

import dev.neep.gpu.protocol.CtrlHdr;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.Rect;
import dev.neep.gpu.protocol.ResourceFlush;
import dev.neep.gpu.protocol.TransferToHost2d;
import dev.neep.testkit.Backing;
import dev.neep.testkit.GpuDriver;
import dev.neep.testkit.PendingCommand;
import dev.neep.vhostuser.frontend.FrontEnd;
import java.io.File;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The display path's benchmark: the project's own front end ({@link FrontEnd}, {@link RemoteGpu},
 * {@link BenchDisplay}) and guest driver ({@link GpuDriver}) against vhost-user GPU back ends
 * started as processes, each measured in turn within every round, the same workloads for all.
 * Run by {@code ./neep bench} (see BENCHMARKS.md); not a test.
 *
 * <pre>
 * DisplayBench --rounds R --workdir DIR [--frames N] [--flushes N] [--soak N] NAME=COMMAND...
 * </pre>
 * COMMAND is split at spaces and {@code {sock}} in it is replaced by the socket path.
 */
public final class DisplayBench {
    private static final long RAM = 64L << 20;
    private static final int IN_FLIGHT = 16;
    private static final int DISPLAY_W = 1024;
    private static final int DISPLAY_H = 768;
    private static final long TIMEOUT_MS = 120_000;

    private final Path workdir;
    private final int frames;
    private final int flushes;
    private final int soak;
    private int mark;

    private DisplayBench(Path workdir, int frames, int flushes, int soak) {
        this.workdir = workdir;
        this.frames = frames;
        this.flushes = flushes;
        this.soak = soak;
    }

    public static void main(String[] args) throws Exception {
        int rounds = 3;
        int frames = 300;
        int flushes = 20_000;
        int soak = 20_000;
        Path workdir = Files.createTempDirectory("neep-bench");
        Map<String, String> backends = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--frames" -> frames = Integer.parseInt(args[++i]);
                case "--flushes" -> flushes = Integer.parseInt(args[++i]);
                case "--soak" -> soak = Integer.parseInt(args[++i]);
                case "--workdir" -> workdir = Path.of(args[++i]);
                default -> {
                    int eq = args[i].indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("not NAME=COMMAND: " + args[i]);
                    }
                    backends.put(args[i].substring(0, eq), args[i].substring(eq + 1));
                }
            }
        }
        Files.createDirectories(workdir);
        DisplayBench bench = new DisplayBench(workdir, frames, flushes, soak);
        Map<String, List<Map<String, Double>>> results = new LinkedHashMap<>();
        System.out.printf("BENCH frames=%d flushes=%d soak=%d rounds=%d in_flight=%d load_before=\"%s\"%n", frames,
                flushes, soak, rounds, IN_FLIGHT, load());
        for (int r = 1; r <= rounds; r++) {
            for (Map.Entry<String, String> b : backends.entrySet()) {
                Map<String, Double> figures = bench.round(b.getKey(), b.getValue(), r);
                results.computeIfAbsent(b.getKey(), k -> new ArrayList<>()).add(figures);
                System.out.printf("ROUND %d %s %s load=\"%s\"%n", r, b.getKey(), format(figures), load());
            }
        }
        System.out.printf("BENCH done load_after=\"%s\"%n", load());
        printMedians(results);
    }

    /** One back end, once: started, measured, stopped. */
    private Map<String, Double> round(String name, String command, int round) throws Exception {
        Path sock = workdir.resolve(name + "-" + round + ".sock");
        Files.deleteIfExists(sock);
        List<String> argv = new ArrayList<>();
        for (String word : command.trim().split(" +")) {
            argv.add(word.replace("{sock}", sock.toString()));
        }
        File log = workdir.resolve(name + "-" + round + ".log").toFile();
        long t0 = System.nanoTime();
        Process process = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log)).start();
        ProcessTree tree = new ProcessTree(process.pid());
        Map<String, Double> f = new LinkedHashMap<>();
        try {
            FrontEnd peer = connect(sock, process, log);
            f.put("startup_ms", (System.nanoTime() - t0) / 1e6);
            BenchDisplay[] display = new BenchDisplay[1];
            try (RemoteGpu gpu = new RemoteGpu(peer, fd -> display[0] = new BenchDisplay(fd, DISPLAY_W, DISPLAY_H))) {
                GpuDriver driver = gpu.startDriver(0);
                // No RESET_DEVICE at the end: QEMU's C back end drops the connection on it.
                measure(driver, display[0], tree, f);
            }
        } finally {
            stop(process);
        }
        return f;
    }

    private void measure(GpuDriver driver, BenchDisplay display, ProcessTree tree, Map<String, Double> f)
            throws Exception {
        long t = System.nanoTime();
        for (int i = 0; i < flushes; i++) {
            driver.getDisplayInfo();
        }
        f.put("display_info_per_s", flushes / seconds(t));

        for (int[] size : new int[][] {{1024, 768}, {1920, 1080}}) {
            String key = size[0] + "x" + size[1];
            Screen s = new Screen(driver, size[0], size[1]);
            fullFrames(s, display, IN_FLIGHT * 2);
            ProcessTree.CpuSample cpu = tree.cpu();
            long pictures = display.pictures();
            t = System.nanoTime();
            long end = fullFrames(s, display, frames);
            f.put("fps_" + key, frames / ((end - t) / 1e9));
            f.put("cpu_ms_per_frame_" + key, tree.cpuMillisSince(cpu) / frames);
            f.put("pictures_" + key, (double) (display.pictures() - pictures));
            t = System.nanoTime();
            lockstepFrames(s, display, frames);
            f.put("fps_each_at_front_end_" + key, frames / seconds(t));
            if (size[0] == 1024) {
                for (int inFlight : new int[] {1, IN_FLIGHT}) {
                    // Once unmeasured first: what is measured is a flush's cost in a back end that
                    // runs, not a JIT compiler's first work on the path (C2 took nearly as much CPU as
                    // neep's own threads in a measured first pass).
                    tinyFlushes(s, inFlight);
                    cpu = tree.cpu();
                    t = System.nanoTime();
                    tinyFlushes(s, inFlight);
                    f.put("flush1x1_per_s_" + inFlight, flushes / seconds(t));
                    f.put("cpu_ms_per_flush_" + inFlight, tree.cpuMillisSince(cpu) / flushes);
                }
            }
            s.release();
        }

        Screen small = new Screen(driver, 256, 256);
        small.release();
        Rect all = new Rect(0, 0, 256, 256);
        f.put("soak_rss_start_mib", tree.rssMiB());
        double peak = 0;
        StringBuilder samples = new StringBuilder();
        t = System.nanoTime();
        for (int i = 1; i <= soak; i++) {
            int id = driver.newResourceId();
            ok(driver.resourceCreate2d(id, Formats.B8G8R8X8_UNORM, 256, 256));
            ok(driver.attachBacking(id, small.backing));
            ok(driver.setScanout(0, id, all));
            ok(driver.transferToHost2d(id, all, 0));
            ok(driver.resourceFlush(id, all));
            ok(driver.resourceUnref(id));
            if (i % Math.max(1, soak / 10) == 0) {
                double rss = tree.rssMiB();
                peak = Math.max(peak, rss);
                samples.append(samples.length() == 0 ? "" : ",").append(Math.round(rss));
            }
        }
        f.put("soak_per_s", soak / seconds(t));
        f.put("soak_rss_end_mib", tree.rssMiB());
        f.put("soak_rss_peak_mib", peak);
        System.out.printf("SOAK rss_mib_every_%d_cycles=%s%n", Math.max(1, soak / 10), samples);
    }

    /** A B8G8R8X8 resource on scanout 0 with guest pages behind it, drawn once. */
    private static final class Screen {
        final GpuDriver driver;
        final int id;
        final Rect all;
        final Backing backing;

        Screen(GpuDriver driver, int width, int height) {
            this.driver = driver;
            this.id = driver.newResourceId();
            this.all = new Rect(0, 0, width, height);
            ok(driver.resourceCreate2d(id, Formats.B8G8R8X8_UNORM, width, height));
            backing = driver.allocateBacking((long) width * height * 4);
            ok(driver.attachBacking(id, backing));
            ok(driver.setScanout(0, id, all));
        }

        void release() {
            ok(driver.resourceUnref(id));
        }
    }

    /**
     * {@code n} full frames (TRANSFER_TO_HOST_2D + RESOURCE_FLUSH of the whole resource), at
     * most {@link #IN_FLIGHT} unanswered, each marked in its top-left pixel; returns when the
     * last one's picture is at the front end (its nanoTime).
     */
    private long fullFrames(Screen s, BenchDisplay display, int n) throws Exception {
        ArrayDeque<PendingCommand> inFlight = new ArrayDeque<>();
        ByteBuffer pixel = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            if (inFlight.size() == 2 * IN_FLIGHT) {
                ok(inFlight.poll());
                ok(inFlight.poll());
            }
            mark = (mark + 1) & BenchDisplay.MARK_MASK;
            s.backing.write(0, pixel.clear().putInt(0xff00_0000 | mark).flip());
            inFlight.add(s.driver.submit(new TransferToHost2d(s.driver.header(CtrlType.CMD_TRANSFER_TO_HOST_2D, 0),
                    s.all, 0, s.id)));
            inFlight.add(s.driver.submit(new ResourceFlush(s.driver.header(CtrlType.CMD_RESOURCE_FLUSH, 0), s.all,
                    s.id)));
        }
        while (!inFlight.isEmpty()) {
            ok(inFlight.poll());
        }
        return display.awaitMark(mark, TIMEOUT_MS);
    }

    /**
     * {@code n} full frames one at a time, each picture at the front end before the next frame
     * is drawn: every picture delivered, by either back end, so the rate is like for like (the
     * latency of a frame from the guest's transfer to the front end's display).
     */
    private void lockstepFrames(Screen s, BenchDisplay display, int n) throws Exception {
        ByteBuffer pixel = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            mark = (mark + 1) & BenchDisplay.MARK_MASK;
            s.backing.write(0, pixel.clear().putInt(0xff00_0000 | mark).flip());
            ok(s.driver.transferToHost2d(s.id, s.all, 0));
            ok(s.driver.resourceFlush(s.id, s.all));
            display.awaitMark(mark, TIMEOUT_MS);
        }
    }

    /** {@link #flushes} RESOURCE_FLUSHes of the top-left pixel, {@code inFlight} at most unanswered. */
    private void tinyFlushes(Screen s, int inFlight) {
        ArrayDeque<PendingCommand> pending = new ArrayDeque<>();
        Rect one = new Rect(0, 0, 1, 1);
        for (int i = 0; i < flushes; i++) {
            if (pending.size() == inFlight) {
                ok(pending.poll());
            }
            pending.add(s.driver.submit(new ResourceFlush(s.driver.header(CtrlType.CMD_RESOURCE_FLUSH, 0), one,
                    s.id)));
        }
        while (!pending.isEmpty()) {
            ok(pending.poll());
        }
    }

    private static void ok(PendingCommand c) {
        ok(c.await().hdr());
    }

    private static void ok(CtrlHdr answer) {
        if (answer.type() != CtrlType.RESP_OK_NODATA) {
            throw new IllegalStateException("answered " + CtrlType.name(answer.type()));
        }
    }

    /** Connects as soon as the back end listens; the clock of start-up stops here. */
    private static FrontEnd connect(Path sock, Process process, File log) throws Exception {
        long end = System.currentTimeMillis() + TIMEOUT_MS;
        while (true) {
            if (Files.exists(sock)) {
                try {
                    return new FrontEnd(sock, RAM);
                } catch (IOException refused) {
                    // bound, not listening yet
                }
            }
            if (!process.isAlive() || System.currentTimeMillis() > end) {
                throw new IOException("the back end did not listen on " + sock + "; its log: " + log);
            }
            Thread.sleep(1);
        }
    }

    /** SIGTERM to the process, then to what is left of its tree. */
    private static void stop(Process process) throws InterruptedException {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        for (ProcessHandle h : descendants) {
            h.destroy();
        }
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static String load() {
        try {
            String[] l = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return Runtime.getRuntime().availableProcessors() + " cpus, load " + l[0] + " " + l[1] + " " + l[2];
        } catch (IOException e) {
            return "load unknown";
        }
    }

    private static String format(Map<String, Double> f) {
        StringBuilder b = new StringBuilder();
        f.forEach((k, v) -> b.append(b.length() == 0 ? "" : " ").append(k).append('=').append(fmt(v)));
        return b.toString();
    }

    private static String fmt(double v) {
        if (!Double.isFinite(v)) {
            return Double.toString(v);
        }
        // Below 1, four significant digits: a CPU time per 1x1 flush is a few microseconds.
        return Math.abs(v) >= 100 ? String.format("%.0f", v) : Math.abs(v) >= 1 ? String.format("%.2f", v)
                : new BigDecimal(v).round(new MathContext(4)).toPlainString();
    }

    /** A Markdown table: each figure's median per back end, every round's value, and the ratio of the first two. */
    private static void printMedians(Map<String, List<Map<String, Double>>> results) {
        List<String> names = new ArrayList<>(results.keySet());
        StringBuilder head = new StringBuilder("| figure |");
        names.forEach(n -> head.append(' ').append(n).append(" median (rounds) |"));
        if (names.size() >= 2) {
            head.append(' ').append(names.get(0)).append(" / ").append(names.get(1)).append(" |");
        }
        System.out.println(head);
        System.out.println("|---".repeat(names.size() + (names.size() >= 2 ? 2 : 1)) + "|");
        for (String key : results.get(names.get(0)).get(0).keySet()) {
            StringBuilder row = new StringBuilder("| ").append(key).append(" |");
            List<Double> medians = new ArrayList<>();
            for (String n : names) {
                List<Double> values = results.get(n).stream().map(m -> m.getOrDefault(key, Double.NaN)).toList();
                double median = median(values);
                medians.add(median);
                row.append(' ').append(fmt(median)).append(" (");
                row.append(String.join(", ", values.stream().map(DisplayBench::fmt).toList())).append(") |");
            }
            if (medians.size() >= 2) {
                row.append(' ').append(String.format("%.2f", medians.get(0) / medians.get(1))).append("x |");
            }
            System.out.println(row);
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
