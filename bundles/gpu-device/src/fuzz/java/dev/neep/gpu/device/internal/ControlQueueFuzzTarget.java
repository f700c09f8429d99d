package dev.neep.gpu.device.internal;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.neep.backend2d.Backend2d;
import dev.neep.gpu.device.internal.GuestCommandFuzzTest.Run;
import dev.neep.gpu.device.internal.GuestCommandFuzzTest.Sent;
import dev.neep.testkit.GpuDriver;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.AfterAll;

/**
 * Coverage-guided fuzzing of the control queue with Jazzer (profile {@code fuzz}): each input
 * is one request chain (any bytes in one readable descriptor, then a writable buffer of a
 * length the input picks) sent through a real virtqueue to a {@link GpuDevice} bound to the
 * real 2D backend. The checks are {@link GuestCommandFuzzTest}'s: the chain comes back within
 * the bound with an answer of the command's OK type or an ERR_* type, of that type's size,
 * echoing the fence; no host fault is logged; the device's and the backend's accounts match
 * the answers. Whatever an input created is released (and the release checked) before the
 * next, so every input meets the same empty device and a finding replays on its own.
 */
class ControlQueueFuzzTarget {
    /** Room for every fixed-size answer (EDID is the largest) and some of a capset. */
    private static final int MAX_WRITABLE = 2048;

    private static Run run;

    @FuzzTest(maxDuration = "60s")
    void oneRequestChain(FuzzedDataProvider input) {
        if (run == null) {
            run = new Run(0, new TrackingProvider(Backend2d.provider()), true);
        }
        int writable = input.consumeInt(0, MAX_WRITABLE);
        ByteBuffer request = ByteBuffer.wrap(input.consumeRemainingAsBytes());
        run.send(new Sent(GpuDriver.CONTROL_QUEUE, "fuzz input", request,
                request.hasRemaining() ? List.of(request) : List.of(), writable));
        if (!run.resources.isEmpty() || !run.contexts.isEmpty()) {
            run.finish();
        }
    }

    @AfterAll
    static void close() {
        if (run != null) {
            run.close();
            run = null;
        }
    }
}
