package dev.neep.display.window.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/**
 * A real window on a real X server: starts Xvfb (Debian package {@code xvfb}) on a free display
 * and runs {@link XvfbWindowCheck} in a JVM whose DISPLAY is that server, since a JVM decides once
 * whether it is headless. Skipped, saying why, where Xvfb is not installed.
 */
public class WindowOnXvfbTest {
    private static final long XVFB_START_S = 20;
    private static final long CHECK_S = 90;

    @Test
    public void windowShowsFrameAndCursorPixelExactOnXvfb() throws Exception {
        Path xvfb = onPath("Xvfb");
        assumeTrue("Xvfb is not installed (Debian package xvfb): the window is not checked on a real X server",
                xvfb != null);
        Path target = Path.of("target");
        Files.createDirectories(target);
        File xvfbLog = target.resolve("xvfb.log").toFile();
        // -displayfd 1: Xvfb picks a free display and prints its number once it accepts clients.
        Process server = new ProcessBuilder(xvfb.toString(), "-displayfd", "1", "-screen", "0", "320x240x24",
                "-nolisten", "tcp").redirectError(xvfbLog).start();
        Process check = null;
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.US_ASCII));
            String display = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (IOException e) {
                    return null;
                }
            }).get(XVFB_START_S, TimeUnit.SECONDS);
            assertTrue("Xvfb did not start; see " + xvfbLog, display != null && display.matches("[0-9]+"));

            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            File shot = target.resolve("xvfb-window.png").toAbsolutePath().toFile();
            ProcessBuilder pb = new ProcessBuilder(java, "-Djava.awt.headless=false", "-cp", classPath,
                    XvfbWindowCheck.class.getName(), shot.getPath()).redirectErrorStream(true);
            pb.environment().put("DISPLAY", ":" + display);
            check = pb.start();
            Process running = check;
            CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(running.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return "cannot read the check's output: " + e;
                }
            });
            boolean ended = check.waitFor(CHECK_S, TimeUnit.SECONDS);
            assertTrue("the window check did not end within " + CHECK_S + " s", ended);
            assertEquals(output.get(5, TimeUnit.SECONDS), 0, check.exitValue());
        } finally {
            if (check != null) {
                check.destroyForcibly();
            }
            server.destroy();
            if (!server.waitFor(5, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    private static Path onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, program);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
