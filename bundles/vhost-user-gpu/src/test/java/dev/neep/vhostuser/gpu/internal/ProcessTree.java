package dev.neep.vhostuser.gpu.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A process and its live descendants, read from /proc: CPU time (user + system) and resident
 * memory of the whole tree, so a back end started through a launcher script is counted with
 * the JVM it runs.
 */
final class ProcessTree {
    /** USER_HZ: every Linux ABI reports /proc times in hundredths of a second. */
    private static final double MS_PER_TICK = 10.0;

    private final long root;

    ProcessTree(long root) {
        this.root = root;
    }

    /** User + system CPU milliseconds of the tree's live processes. */
    double cpuMillis() {
        long ticks = 0;
        for (long pid : pids()) {
            String[] f = statFields(pid);
            if (f != null) {
                ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
            }
        }
        return ticks * MS_PER_TICK;
    }

    /** Resident set of the tree's live processes, in MiB. */
    double rssMiB() {
        long kib = 0;
        for (long pid : pids()) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                    if (line.startsWith("VmRSS:")) {
                        kib += Long.parseLong(line.replaceAll("[^0-9]", ""));
                    }
                }
            } catch (IOException e) {
                // the process ended meanwhile: it holds no memory any more
            }
        }
        return kib / 1024.0;
    }

    /** The root and every live descendant. */
    List<Long> pids() {
        Map<Long, List<Long>> children = new HashMap<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            procs.map(p -> p.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit))
                    .forEach(n -> {
                        String[] f = statFields(Long.parseLong(n));
                        if (f != null) {
                            children.computeIfAbsent(Long.parseLong(f[1]), k -> new ArrayList<>()).add(Long.parseLong(n));
                        }
                    });
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
        List<Long> tree = new ArrayList<>(List.of(root));
        for (int i = 0; i < tree.size(); i++) {
            tree.addAll(children.getOrDefault(tree.get(i), List.of()));
        }
        return tree;
    }

    /** The fields of /proc/PID/stat after the command's closing parenthesis (state first); null when gone. */
    private static String[] statFields(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        } catch (IOException e) {
            return null;
        }
    }
}
