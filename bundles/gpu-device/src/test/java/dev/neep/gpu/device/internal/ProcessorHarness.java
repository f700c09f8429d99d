package dev.neep.gpu.device.internal;

import dev.neep.gpu.api.BackendCapabilities;
import dev.neep.gpu.api.CapsetInfo;
import dev.neep.gpu.device.DeviceConfig;
import dev.neep.gpu.device.VirtioGpu;
import dev.neep.gpu.device.internal.Framing.Processed;
import dev.neep.gpu.protocol.GpuFeatures;
import dev.neep.gpu.protocol.Request;
import dev.neep.virtio.GuestMemories;
import dev.neep.virtio.OnceLog;
import dev.neep.virtio.RegionGuestMemory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/** The device core on its own, without queues: decoded requests or raw bytes in, replies and response bytes out. */
final class ProcessorHarness {
    static final long BASE = 0x1000;
    static final long ALL_FEATURES = GpuFeatures.mask(GpuFeatures.VIRGL) | GpuFeatures.mask(GpuFeatures.EDID)
            | GpuFeatures.mask(GpuFeatures.RESOURCE_UUID) | GpuFeatures.mask(GpuFeatures.RESOURCE_BLOB)
            | GpuFeatures.mask(GpuFeatures.CONTEXT_INIT);

    final OnceLog log = new OnceLog(LoggerFactory.getLogger(ProcessorHarness.class), "virtio-gpu");
    final SinkHub sinks = new SinkHub(VirtioGpu.DEFAULT_NAME, log);
    final RecordingSink sink = new RecordingSink().settleWith(this::settle);
    final List<Integer> destroyedContexts = new ArrayList<>();
    final DeviceCore core;
    final TestBackend backend;
    final RegionGuestMemory memory = GuestMemories.heap(BASE, 1 << 20);

    ProcessorHarness(DeviceConfig config) {
        this(config, new TestBackend(new BackendCapabilities(true, true, true, false),
                List.of(new CapsetInfo(1, 1, 308)), f -> { }, true), ALL_FEATURES);
    }

    /** With {@code backend} bound and the guest having negotiated {@code features}. */
    ProcessorHarness(DeviceConfig config, TestBackend backend, long features) {
        core = new DeviceCore(config, log, sinks, destroyedContexts::add);
        this.backend = backend;
        core.useBackend(backend, null);
        core.activate(memory, features);
        sinks.add(sink);
    }

    ProcessorHarness() {
        this(DeviceConfig.defaults());
    }

    /** Waits until the sinks were told what the commands so far did. */
    void settle() {
        for (SinkLane lane : sinks.lanes()) {
            try {
                lane.awaitIdle();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** A request as a driver encodes it, with {@code trailing} parts after it. */
    static ByteBuffer bytes(Request r) {
        ByteBuffer b = ByteBuffer.allocate(128);
        r.encode(b);
        return b.flip();
    }

    Reply execute(Request r, ByteBuffer... trailing) {
        return core.execute(r, BufferChain.reader(trailing), 4096);
    }

    Processed process(BufferChain.Writer out, ByteBuffer... readable) {
        return core.control(BufferChain.reader(readable), out);
    }
}
