package dev.neep.vhostuser.gpu.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A process and its live descendants, read from /proc: CPU time and resident memory of the
 * whole tree, so a back end started through a launcher script is counted with the JVM it runs.
 *
 * <p>CPU time is read per thread from /proc/PID/task/TID/schedstat, whose first field is the
 * nanoseconds the thread has run: exact, where /proc/PID/stat's utime and stime count whole
 * 10 ms ticks, too coarse for a back end that spends a few milliseconds on thousands of small
 * commands. schedstat covers live threads only; /proc/PID/stat also counts the threads that
 * have ended. So a measurement across which every thread lives is the schedstat difference,
 * and one across which a thread ended falls back to the stat difference, to the tick, and
 * says so.
 */
final class ProcessTree {
    /** USER_HZ: every Linux ABI reports /proc times in hundredths of a second. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    /**
     * The tree's CPU time at one moment.
     *
     * @param taskNanos each live thread's nanoseconds on CPU, by "PID/TID"
     * @param statNanos the processes' user + system time, their ended threads and reaped
     *                  children included, to the tick
     */
    record CpuSample(Map<String, Long> taskNanos, long statNanos) {
    }

    private final long root;

    ProcessTree(long root) {
        this.root = root;
    }

    /** The CPU time of the tree now, to compare a later one with ({@link #cpuMillisSince}). */
    CpuSample cpu() {
        Map<String, Long> tasks = new HashMap<>();
        long stat = 0;
        for (long pid : pids()) {
            String[] f = statFields(pid);
            if (f == null) {
                continue;
            }
            // utime, stime, cutime, cstime
            stat += (Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]))
                    * NANOS_PER_TICK;
            Path taskDir = Path.of("/proc", Long.toString(pid), "task");
            try (DirectoryStream<Path> threads = Files.newDirectoryStream(taskDir)) {
                for (Path t : threads) {
                    Long nanos = schedNanos(t);
                    if (nanos != null) {
                        tasks.put(pid + "/" + t.getFileName(), nanos);
                    }
                }
            } catch (IOException e) {
                // the process ended meanwhile: its threads are not live
            }
        }
        return new CpuSample(tasks, stat);
    }

    /**
     * The tree's CPU milliseconds since {@code start}: exact (schedstat) when every thread of
     * {@code start} still lives; otherwise /proc/PID/stat's difference, to the 10 ms tick
     * (or the schedstat sum of the threads that lived, if more), with a note on stderr.
     */
    double cpuMillisSince(CpuSample start) {
        CpuSample now = cpu();
        long nanos = 0;
        for (Map.Entry<String, Long> t : now.taskNanos().entrySet()) {
            // A thread started since was at 0.
            nanos += t.getValue() - start.taskNanos().getOrDefault(t.getKey(), 0L);
        }
        List<String> ended = start.taskNanos().keySet().stream().filter(t -> !now.taskNanos().containsKey(t))
                .sorted().toList();
        if (ended.isEmpty()) {
            return nanos / 1e6;
        }
        long stat = now.statNanos() - start.statNanos();
        System.err.printf("NOTE cpu: thread(s) %s ended during the measurement; the CPU time is read from"
                + " /proc/PID/stat, to 10 ms: %.1f ms (schedstat of the threads that lived: %.3f ms)%n", ended,
                stat / 1e6, nanos / 1e6);
        return Math.max(stat, nanos) / 1e6;
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

    /** The first field of a thread's schedstat: nanoseconds on CPU; null when it has ended. */
    private static Long schedNanos(Path task) {
        try {
            String s = Files.readString(task.resolve("schedstat"));
            return Long.parseLong(s.substring(0, s.indexOf(' ')));
        } catch (IOException e) {
            return null;
        }
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
