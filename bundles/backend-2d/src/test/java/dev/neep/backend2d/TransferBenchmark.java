package dev.neep.backend2d;

import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.api.Transfer;
import dev.neep.gpu.protocol.Formats;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Not a test (no {@code @Test}, not run by surefire): a benchmark driver comparing a full-frame
 * 1024x768 TRANSFER_TO_HOST_2D against a plain memcpy of the same bytes, in one run.
 *
 * From the repository root:
 * <pre>
 * mvn -q -o -pl bundles/backend-2d -am test-compile
 * java -cp bundles/backend-2d/target/classes:bundles/backend-2d/target/test-classes:\
 * bundles/gpu-api/target/classes:bundles/gpu-protocol/target/classes:\
 * $HOME/.m2/repository/org/slf4j/slf4j-api/2.0.17/slf4j-api-2.0.17.jar dev.neep.backend2d.TransferBenchmark
 * </pre>
 *
 * Guest memory is a direct buffer (as mapped guest RAM is); the host copy is what the backend
 * allocates. Each figure is the median of several timed rounds after a warm-up.
 */
public final class TransferBenchmark {
    private static final int WIDTH = 1024;
    private static final int HEIGHT = 768;
    private static final int BYTES = WIDTH * HEIGHT * 4;
    private static final int PAGE = 4096;
    private static final int ROUNDS = 15;
    private static final long ROUND_NANOS = 200_000_000L;

    private TransferBenchmark() {
    }

    public static void main(String[] args) throws GpuBackendException {
        ByteBuffer guest = ByteBuffer.allocateDirect(BYTES);
        for (int i = 0; i < BYTES; i++) {
            guest.put(i, (byte) (i * 31));
        }
        ByteBuffer host = ByteBuffer.allocate(BYTES);

        try (Backend2d backend = Backend2d.open(f -> { })) {
            backend.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, WIDTH, HEIGHT);
            backend.attachBacking(1, List.of(guest));
            backend.resourceCreate2d(2, Formats.B8G8R8X8_UNORM, WIDTH, HEIGHT);
            backend.attachBacking(2, pages(guest));
            Transfer full = Transfer.of2d(0, 0, WIDTH, HEIGHT, 0);
            Transfer rows = Transfer.of2d(1, 0, WIDTH - 1, HEIGHT, 4);

            String[] names = {
                "memcpy (ByteBuffer.put direct->heap)",
                "transferWrite full frame, 1 iovec",
                "transferWrite full frame, 4 KiB iovecs",
                "transferWrite x=1 w=1023 (per row), 4 KiB iovecs",
            };
            Op[] ops = {
                () -> host.put(0, guest, 0, BYTES),
                () -> backend.transferWrite(0, 1, full),
                () -> backend.transferWrite(0, 2, full),
                () -> backend.transferWrite(0, 2, rows),
            };
            measure(ops, 5);
            double[] nanos = measure(ops, ROUNDS);
            System.out.printf("1024x768x4 = %d bytes, JVM %s, %d interleaved rounds of %d ms per op, median%n",
                    BYTES, System.getProperty("java.vm.version"), ROUNDS, ROUND_NANOS / 1_000_000);
            for (int i = 0; i < ops.length; i++) {
                System.out.printf("%-52s %8.1f us/op %7.2f GB/s %6.2fx memcpy%n", names[i], nanos[i] / 1000,
                        BYTES / nanos[i], nanos[i] / nanos[0]);
            }
        }
    }

    private static List<ByteBuffer> pages(ByteBuffer memory) {
        List<ByteBuffer> out = new ArrayList<>();
        for (int at = 0; at < memory.capacity(); at += PAGE) {
            out.add(memory.slice(at, Math.min(PAGE, memory.capacity() - at)));
        }
        return out;
    }

    /**
     * Nanoseconds per operation of each op, the median over {@code rounds} rounds; the ops take
     * turns within a round so that load from elsewhere on the machine falls on all of them alike.
     */
    private static double[] measure(Op[] ops, int rounds) throws GpuBackendException {
        double[][] perOp = new double[ops.length][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < ops.length; i++) {
                long n = 0;
                long start = System.nanoTime();
                long elapsed;
                do {
                    ops[i].run();
                    n++;
                    elapsed = System.nanoTime() - start;
                } while (elapsed < ROUND_NANOS);
                perOp[i][r] = (double) elapsed / n;
            }
        }
        double[] medians = new double[ops.length];
        for (int i = 0; i < ops.length; i++) {
            Arrays.sort(perOp[i]);
            medians[i] = perOp[i][rounds / 2];
        }
        return medians;
    }

    private interface Op {
        void run() throws GpuBackendException;
    }
}
