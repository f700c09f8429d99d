package dev.neep.backend.rutabaga.internal;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.Assume;

/**
 * A real compositor for the cross-domain tests: Debian's weston 10 with its headless backend
 * and the pixman renderer (the default renderer there draws nothing, so its screenshots would
 * be empty), on a private {@code XDG_RUNTIME_DIR}, started and stopped by this class through its
 * process id. {@code --debug} lets any client use weston's screenshooter, which
 * {@code weston-screenshooter} asks for a PNG of the output.
 */
final class Weston implements AutoCloseable {

    static final String SOCKET = "wayland-neep";
    private static final Duration START = Duration.ofSeconds(30);
    private static final Duration SHOT = Duration.ofSeconds(30);

    final Path runtimeDir;
    final int width;
    final int height;
    private final Process process;
    private boolean closed;

    private Weston(Path runtimeDir, int width, int height, Process process) {
        this.runtimeDir = runtimeDir;
        this.width = width;
        this.height = height;
        this.process = process;
    }

    /** Skips the calling test, saying why, when weston or weston-screenshooter is not installed. */
    static void assumeInstalled() {
        for (String tool : List.of("weston", "weston-screenshooter")) {
            Assume.assumeTrue(tool + " is not installed (Debian package weston; ./neep test installs it)",
                    onPath(tool));
        }
    }

    private static boolean onPath(String tool) {
        return Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, tool)));
    }

    /** Starts weston with one {@code width} x {@code height} output and waits for its socket. */
    static Weston start(int width, int height) throws IOException, InterruptedException {
        assumeInstalled();
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "neep-wl",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        ProcessBuilder pb = new ProcessBuilder("weston", "--backend=headless-backend.so", "--use-pixman",
                "--shell=desktop-shell.so", "--width=" + width, "--height=" + height, "--socket=" + SOCKET,
                "--idle-time=0", "--debug", "--log=" + dir.resolve("weston.log"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("weston.out").toFile());
        environment(pb.environment(), dir);
        Weston weston = new Weston(dir, width, height, pb.start());
        long deadline = System.nanoTime() + START.toNanos();
        while (!Files.exists(weston.socket())) {
            if (!weston.process.isAlive() || System.nanoTime() > deadline) {
                String log = weston.log();
                weston.close();
                throw new IOException("weston did not open " + weston.socket() + " within " + START + ": " + log);
            }
            Thread.sleep(50);
        }
        return weston;
    }

    private static void environment(Map<String, String> env, Path runtimeDir) {
        env.remove("WAYLAND_DISPLAY");
        env.remove("DISPLAY");
        env.put("XDG_RUNTIME_DIR", runtimeDir.toString());
    }

    Path socket() {
        return runtimeDir.resolve(SOCKET);
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** What weston logged so far. */
    String log() {
        try {
            Path log = runtimeDir.resolve("weston.log");
            return Files.exists(log) ? Files.readString(log) : "(no log)";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /**
     * Screenshots until one satisfies {@code wanted} or {@code bound} has passed; the last one.
     * The desktop shell's own client starts beside the test's and maps its panel and background
     * when it is ready, so what weston shows settles a moment after the test's frame callback.
     */
    BufferedImage screenshotUntil(Predicate<BufferedImage> wanted, Duration bound)
            throws IOException, InterruptedException {
        long end = System.nanoTime() + bound.toNanos();
        BufferedImage shot = screenshot();
        while (!wanted.test(shot) && System.nanoTime() < end) {
            Thread.sleep(200);
            shot = screenshot();
        }
        return shot;
    }

    /** The output as weston's screenshooter sees it. */
    BufferedImage screenshot() throws IOException, InterruptedException {
        Path shots = Files.createDirectories(runtimeDir.resolve("shots"));
        try (Stream<Path> old = Files.list(shots)) {
            for (Path p : old.toList()) {
                Files.delete(p);
            }
        }
        ProcessBuilder pb = new ProcessBuilder("weston-screenshooter").directory(shots.toFile())
                .redirectErrorStream(true).redirectOutput(runtimeDir.resolve("screenshooter.out").toFile());
        environment(pb.environment(), runtimeDir);
        pb.environment().put("WAYLAND_DISPLAY", SOCKET);
        Process shooter = pb.start();
        if (!shooter.waitFor(SHOT.toMillis(), TimeUnit.MILLISECONDS)) {
            shooter.destroyForcibly();
            throw new IOException("weston-screenshooter took longer than " + SHOT);
        }
        String said = Files.readString(runtimeDir.resolve("screenshooter.out"));
        try (Stream<Path> files = Files.list(shots)) {
            Path png = files.filter(p -> p.toString().endsWith(".png")).findFirst().orElseThrow(() -> new IOException(
                    "weston-screenshooter exited " + shooter.exitValue() + " and wrote no PNG: " + said));
            return ImageIO.read(png.toFile());
        }
    }

    /** Stops weston by its process id (SIGTERM, then SIGKILL after 10 s) and removes its directory. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        ProcessHandle handle = ProcessHandle.of(process.pid()).orElse(null);
        if (handle != null) {
            handle.destroy();
            try {
                handle.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                handle.destroyForcibly();
            }
        }
        try (Stream<Path> all = Files.walk(runtimeDir)) {
            for (Path p : all.sorted((a, b) -> b.compareTo(a)).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // A leftover temporary directory fails nothing; say so and go on.
            System.err.println("could not remove " + runtimeDir + ": " + e);
        }
    }
}
