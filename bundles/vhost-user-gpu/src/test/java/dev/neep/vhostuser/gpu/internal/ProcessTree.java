package dev.neep.vhostuser.gpu.internal;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.ptr.IntByReference;
import java.io.IOException;
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
 * <p>CPU time is each process's CPU clock ({@code clock_getcpuclockid(3)}, read with
 * {@code clock_gettime}): the nanoseconds the scheduler counted for all its threads, those that
 * have ended included. /proc/PID/stat's user and system times count whole 10 ms ticks, too
 * coarse for a back end that spends a few milliseconds on thousands of small commands; the
 * per-thread /proc/PID/task/TID/schedstat is exact but knows live threads only, and a thread
 * that started and ended between two readings would be missed.
 */
final class ProcessTree {

    /** The two glibc calls that read another process's CPU clock. */
    private interface Clocks extends Library {
        Clocks C = Native.load("c", Clocks.class);

        /** Returns 0, or the error number (ESRCH: no such process). */
        int clock_getcpuclockid(int pid, IntByReference clockId);

        /** {@code timespec}: tv_sec, tv_nsec (two longs on the 64-bit ABIs). */
        int clock_gettime(int clockId, long[] timespec) throws LastErrorException;
    }

    /**
     * The tree's CPU time at one moment.
     *
     * @param nanos each live process's nanoseconds on CPU, by pid
     */
    record CpuSample(Map<Long, Long> nanos) {
    }

    private final long root;

    ProcessTree(long root) {
        this.root = root;
    }

    /** The CPU time of the tree now, to compare a later one with ({@link #cpuMillisSince}). */
    CpuSample cpu() {
        Map<Long, Long> nanos = new HashMap<>();
        long[] timespec = new long[2];
        for (long pid : pids()) {
            IntByReference clock = new IntByReference();
            if (Clocks.C.clock_getcpuclockid((int) pid, clock) != 0) {
                continue; // ended meanwhile
            }
            try {
                Clocks.C.clock_gettime(clock.getValue(), timespec);
            } catch (LastErrorException e) {
                continue; // ended meanwhile
            }
            nanos.put(pid, timespec[0] * 1_000_000_000L + timespec[1]);
        }
        return new CpuSample(nanos);
    }

    /**
     * The tree's CPU milliseconds since {@code start}. A process that ended in between is not
     * counted (its clock is gone with it), and a {@code NOTE cpu:} line on stderr says so.
     */
    double cpuMillisSince(CpuSample start) {
        CpuSample now = cpu();
        long nanos = 0;
        for (Map.Entry<Long, Long> p : now.nanos().entrySet()) {
            // A process started since was at 0.
            nanos += p.getValue() - start.nanos().getOrDefault(p.getKey(), 0L);
        }
        List<Long> ended = start.nanos().keySet().stream().filter(p -> !now.nanos().containsKey(p)).sorted()
                .toList();
        if (!ended.isEmpty()) {
            System.err.printf("NOTE cpu: process(es) %s ended during the measurement; their CPU time is not"
                    + " counted%n", ended);
        }
        return nanos / 1e6;
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
