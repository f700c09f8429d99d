package dev.neep.vhostuser.gpu.internal;

import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.Before;
import org.junit.Test;

/** The benchmark's CPU reading, on this JVM's own process. */
public class ProcessTreeTest {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private ProcessTree tree;

    @Before
    public void here() {
        assumeTrue("needs Linux's /proc and a thread CPU clock",
                Files.exists(Path.of("/proc/self/stat")) && THREADS.isCurrentThreadCpuTimeSupported());
        tree = new ProcessTree(ProcessHandle.current().pid());
    }

    @Test
    public void countsBelowATick() {
        ProcessTree.CpuSample start = tree.cpu();
        double burned = burnMillis(3);
        double measured = tree.cpuMillisSince(start);
        // 3 ms is under a third of /proc/PID/stat's 10 ms tick.
        assertTrue("measured " + measured + " ms, this thread alone burned " + burned + " ms", measured >= burned);
    }

    @Test
    public void countsAThreadThatStartedAndEndedMeanwhile() throws Exception {
        ProcessTree.CpuSample start = tree.cpu();
        double[] burned = new double[1];
        Thread t = new Thread(() -> burned[0] = burnMillis(100), "process-tree-test-burner");
        t.start();
        t.join();
        double measured = tree.cpuMillisSince(start);
        // No reading saw the thread alive: per-thread schedstat would miss all of it.
        assertTrue("measured " + measured + " ms, an ended thread burned " + burned[0] + " ms",
                measured >= burned[0]);
    }

    /** Spins on this thread until it has used {@code millis} of CPU; returns what it used. */
    private static double burnMillis(long millis) {
        long start = THREADS.getCurrentThreadCpuTime();
        long x = 0;
        while (THREADS.getCurrentThreadCpuTime() - start < millis * 1_000_000) {
            for (int i = 0; i < 10_000; i++) {
                x += i * 31L ^ x;
            }
        }
        if (x == 42) {
            System.out.print(""); // keeps the loop's work from being optimised away
        }
        return (THREADS.getCurrentThreadCpuTime() - start) / 1e6;
    }
}
