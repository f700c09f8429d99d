package dev.neep.itests.karaf;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Apache Karaf, the distribution from Maven Central, unpacked into a directory of its
 * own and run as a server process; commands go to its shell through {@code bin/client} over
 * SSH on a free port. neep's artifacts come from a repository made of this build's files, so
 * that `mvn verify` tests what it built, with nothing installed anywhere.
 */
final class Karaf implements AutoCloseable {
    private static final String USER = "karaf";
    private static final long COMMAND_TIMEOUT_S = 300;

    private final Path home;
    private final int sshPort;
    private final int httpPort;
    private final Process server;

    private Karaf(Path home, int sshPort, int httpPort, Process server) {
        this.home = home;
        this.sshPort = sshPort;
        this.httpPort = httpPort;
        this.server = server;
    }

    /** The port Karaf's HTTP service (Pax Web) listens on, on 127.0.0.1. */
    int httpPort() {
        return httpPort;
    }

    /**
     * Unpacks {@code archive} into {@code work}, points its Maven resolver at {@code neepRepo}
     * (neep's artifacts) and {@code localRepo} (the rest, e.g. JNA), gives it an SSH user and
     * free ports, starts it, and waits until its shell answers.
     */
    static Karaf start(Path archive, Path work, Path neepRepo, Path localRepo) throws IOException, InterruptedException {
        Files.createDirectories(work);
        run(work, List.of("tar", "xzf", archive.toString(), "-C", work.toString()), 600);
        Path home;
        try (Stream<Path> dirs = Files.list(work)) {
            home = dirs.filter(d -> d.getFileName().toString().startsWith("apache-karaf-")).findFirst()
                    .orElseThrow(() -> new IOException("no apache-karaf-* directory in " + archive));
        }
        Path etc = home.resolve("etc");
        append(etc.resolve("users.properties"), USER + " = " + USER + ",_g_:admingroup",
                "_g_\\:admingroup = group,admin,manager,viewer,systembundles,ssh");
        int sshPort = freePort();
        int httpPort = freePort();
        // Pax Web, once a feature brings it (neep-display-web does): a free port on loopback. The
        // file is new; a feature's own configuration never replaces one that exists.
        append(etc.resolve("org.ops4j.pax.web.cfg"), "org.osgi.service.http.port = " + httpPort,
                "org.ops4j.pax.web.listening.addresses = 127.0.0.1");
        append(etc.resolve("org.apache.karaf.shell.cfg"), "sshPort = " + sshPort, "sshHost = 127.0.0.1");
        append(etc.resolve("org.apache.karaf.management.cfg"), "rmiRegistryPort = " + freePort(),
                "rmiServerPort = " + freePort(), "rmiRegistryHost = 127.0.0.1", "rmiServerHost = 127.0.0.1");
        // Later lines win: the distribution's own system/ directory, neep's files and the local
        // repository first; Maven Central only for what the distribution does not carry (Pax Web's
        // Jetty WebSocket bundles, which neep-display-web's http-whiteboard needs).
        append(etc.resolve("org.ops4j.pax.url.mvn.cfg"),
                "org.ops4j.pax.url.mvn.localRepository = " + localRepo,
                "org.ops4j.pax.url.mvn.defaultRepositories = file:${karaf.home}/${karaf.default.repository}"
                        + "@id=system.repository@snapshots, " + neepRepo.toUri() + "@id=neep@snapshots",
                "org.ops4j.pax.url.mvn.repositories = https://repo1.maven.org/maven2@id=central");
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/karaf").toString(), "server")
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("server.log").toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Karaf karaf = new Karaf(home, sshPort, httpPort, pb.start());
        karaf.awaitShell();
        return karaf;
    }

    private void awaitShell() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        String last = "";
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new IOException("Karaf ended with " + server.exitValue() + " before its shell answered; see "
                        + home.getParent().resolve("server.log"));
            }
            Result r = tryShell(List.of("bundle:list -t 0 --no-format"), 60);
            if (r.exit == 0 && r.output.contains("Active")) {
                return;
            }
            last = r.output;
            Thread.sleep(2000);
        }
        throw new IOException("Karaf's shell did not answer on port " + sshPort + " within 300 s; last:\n" + last);
    }

    /** Runs {@code commands} in one shell session and returns what they printed; fails when the client does. */
    String shell(String... commands) throws IOException, InterruptedException {
        Result r = tryShell(List.of(commands), COMMAND_TIMEOUT_S);
        if (r.exit != 0) {
            throw new IOException("bin/client exited " + r.exit + " running " + List.of(commands) + ":\n" + r.output);
        }
        return r.output;
    }

    /** Karaf's own log. */
    String log() throws IOException {
        return Files.readString(home.resolve("data/log/karaf.log"), StandardCharsets.UTF_8);
    }

    private record Result(int exit, String output) {
    }

    private Result tryShell(List<String> commands, long timeoutS) throws IOException, InterruptedException {
        Path in = Files.createTempFile(home, "commands", ".txt");
        Path out = Files.createTempFile(home, "output", ".txt");
        try {
            Files.write(in, commands, StandardCharsets.UTF_8);
            ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/client").toString(), "-u", USER, "-p", USER,
                    "-h", "127.0.0.1", "-a", Integer.toString(sshPort), "-b")
                    .directory(home.toFile())
                    .redirectErrorStream(true)
                    .redirectInput(in.toFile())
                    .redirectOutput(out.toFile());
            pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
            Process client = pb.start();
            if (!client.waitFor(timeoutS, TimeUnit.SECONDS)) {
                client.descendants().forEach(ProcessHandle::destroyForcibly);
                client.destroyForcibly();
                return new Result(-1, "timed out after " + timeoutS + " s: " + Files.readString(out));
            }
            return new Result(client.exitValue(), Files.readString(out));
        } finally {
            Files.deleteIfExists(in);
            Files.deleteIfExists(out);
        }
    }

    @Override
    public void close() throws InterruptedException {
        server.descendants().forEach(ProcessHandle::destroy);
        server.destroy();
        if (!server.waitFor(60, TimeUnit.SECONDS)) {
            server.descendants().forEach(ProcessHandle::destroyForcibly);
            server.destroyForcibly();
        }
    }

    /** A Maven repository layout of {@code files} (dev.neep jars named artifactId-version.jar) and the features file. */
    static Path neepRepository(Path dir, List<Path> jars, Path features, String version) throws IOException {
        deleteTree(dir);
        for (Path jar : jars) {
            String name = jar.getFileName().toString();
            String suffix = "-" + version + ".jar";
            if (!name.endsWith(suffix)) {
                throw new IOException(jar + " is not a neep " + version + " jar");
            }
            put(dir, name.substring(0, name.length() - suffix.length()), version, name, jar);
        }
        put(dir, "neep-features", version, "neep-features-" + version + "-features.xml", features);
        return dir;
    }

    private static void put(Path repo, String artifact, String version, String file, Path from) throws IOException {
        Path target = repo.resolve("dev/neep").resolve(artifact).resolve(version).resolve(file);
        Files.createDirectories(target.getParent());
        Files.copy(from, target, StandardCopyOption.REPLACE_EXISTING);
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static void append(Path file, String... lines) throws IOException {
        List<String> all = new ArrayList<>(List.of(""));
        all.addAll(List.of(lines));
        Files.write(file, all, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void run(Path dir, List<String> command, long timeoutS) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(timeoutS, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed");
        }
    }

    static List<Path> paths(String pathList) {
        List<Path> paths = new ArrayList<>();
        for (String p : pathList.split(File.pathSeparator)) {
            if (!p.isBlank()) {
                paths.add(Path.of(p));
            }
        }
        return paths;
    }
}
