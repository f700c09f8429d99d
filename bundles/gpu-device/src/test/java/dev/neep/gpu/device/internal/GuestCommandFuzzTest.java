package dev.neep.gpu.device.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.neep.backend2d.Backend2d;
import dev.neep.gpu.api.GpuBackendProvider;
import dev.neep.gpu.device.DeviceConfig;
import dev.neep.gpu.protocol.Blobs;
import dev.neep.gpu.protocol.Command;
import dev.neep.gpu.protocol.CtrlFlags;
import dev.neep.gpu.protocol.CtrlHdr;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.Response;
import dev.neep.testkit.GpuCommandException;
import dev.neep.testkit.GpuDriver;
import dev.neep.testkit.TrackingProvider;
import dev.neep.testkit.PendingCommand;
import dev.neep.virtio.Virtq;
import dev.neep.virtio.driver.DriverQueue;
import dev.neep.virtio.driver.Segment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.junit.Test;

/**
 * Seeded, structure-aware fuzzing of the device from the guest side, through real virtqueues:
 * everything from the guest is hostile, nothing escapes a queue handler, and resources and
 * host memory return to where they started.
 *
 * <p>Each run drives a {@link GpuDevice} bound to the real 2D backend with a few thousand
 * commands: valid ones built from what the guest has created so far, the same with fields set
 * to boundary values, cut short, grown, of unknown types, split over descriptors at odd
 * places, with response buffers too small, missing or in pieces. After every command the
 * device must have given the chain back (bounded wait), with an answer of the command's OK type
 * or an ERR_* type, of that type's size, echoing the request's fence, reporting no host
 * fault, and with its resource and host-memory accounts equal to those of the answers so
 * far. At the end everything is unreferenced (or the device reset), the accounts and the
 * backend are empty, and the device still serves GET_DISPLAY_INFO.
 *
 * <p>A failure names its seed and step; {@code -Dneep.fuzz.seed=0x...} replays one seed and
 * {@code -Dneep.fuzz.steps=N} changes the number of commands per seed; {@code -Dneep.fuzz.seeds=N}
 * runs seeds 1..N instead of the fixed three (a longer search).
 */
public class GuestCommandFuzzTest {
    private static final long[] SEEDS = {0x6e656570L, 0x0badcafeL, 0x5eed5eedL};
    private static final int STEPS = Integer.getInteger("neep.fuzz.steps", 4000);
    private static final Duration BOUND = Duration.ofSeconds(5);
    private static final int MEMORY = 16 << 20;
    private static final int POOL = 2 << 20;
    private static final long MAX_HOSTMEM = 32L << 20;
    private static final int MAX_OUTPUTS = 2;
    private static final int HISTORY = 12;

    static final int[] EDGE32 = {0, 1, 2, 3, 15, 16, 17, 63, 64, 65, 255, 256, 4095, 4096, 4097, 16384, 16385,
        0xffff, 0x10000, 0x7fff_fffe, 0x7fff_ffff, 0x8000_0000, 0x8000_0001, 0xffff_fffe, 0xffff_ffff};
    static final long[] EDGE64 = {0, 1, 4096, 0xffff_ffffL, 0x1_0000_0000L, 0x1_0000_0001L, Long.MAX_VALUE,
        Long.MIN_VALUE, -1L, -4096L, -16L, 0x7fff_ffff_ffff_f000L};
    static final int[] FORMATS_2D = {Formats.B8G8R8A8_UNORM, Formats.B8G8R8X8_UNORM, 3, 4, 67, 68, 121, 134};
    static final int[] COMMANDS = {CtrlType.CMD_GET_DISPLAY_INFO, CtrlType.CMD_RESOURCE_CREATE_2D,
        CtrlType.CMD_RESOURCE_UNREF, CtrlType.CMD_SET_SCANOUT, CtrlType.CMD_RESOURCE_FLUSH,
        CtrlType.CMD_TRANSFER_TO_HOST_2D, CtrlType.CMD_RESOURCE_ATTACH_BACKING, CtrlType.CMD_RESOURCE_DETACH_BACKING,
        CtrlType.CMD_GET_CAPSET_INFO, CtrlType.CMD_GET_CAPSET, CtrlType.CMD_GET_EDID,
        CtrlType.CMD_RESOURCE_ASSIGN_UUID, CtrlType.CMD_RESOURCE_CREATE_BLOB, CtrlType.CMD_SET_SCANOUT_BLOB,
        CtrlType.CMD_CTX_CREATE, CtrlType.CMD_CTX_DESTROY, CtrlType.CMD_CTX_ATTACH_RESOURCE,
        CtrlType.CMD_CTX_DETACH_RESOURCE, CtrlType.CMD_RESOURCE_CREATE_3D, CtrlType.CMD_TRANSFER_TO_HOST_3D,
        CtrlType.CMD_TRANSFER_FROM_HOST_3D, CtrlType.CMD_SUBMIT_3D, CtrlType.CMD_RESOURCE_MAP_BLOB,
        CtrlType.CMD_RESOURCE_UNMAP_BLOB};
    /** What the generator picks from: the 2D commands twice as often, as a 2D guest sends them. */
    static final int[] PICKED = concat(COMMANDS, new int[] {CtrlType.CMD_RESOURCE_CREATE_2D,
        CtrlType.CMD_RESOURCE_UNREF, CtrlType.CMD_SET_SCANOUT, CtrlType.CMD_RESOURCE_FLUSH,
        CtrlType.CMD_TRANSFER_TO_HOST_2D, CtrlType.CMD_RESOURCE_ATTACH_BACKING, CtrlType.CMD_RESOURCE_DETACH_BACKING,
        CtrlType.CMD_RESOURCE_CREATE_BLOB, CtrlType.CMD_SET_SCANOUT_BLOB});
    static final int[] CURSOR_COMMANDS = {CtrlType.CMD_UPDATE_CURSOR, CtrlType.CMD_MOVE_CURSOR};
    /** Types a device must not take for commands: around the real ones, responses, the extremes. */
    static final int[] NOT_COMMANDS = {0, 1, 0xff, 0x010e, 0x01ff, 0x020a, 0x02ff, 0x0302, 0x1100, 0x1205,
        0x7fff_ffff, 0x8000_0100, 0xffff_ffff};

    @Test
    public void mutatedCommandsOnThe2dBackendAreAnsweredAndLeaveNothingBehind() {
        for (long seed : seeds()) {
            // Every other seed ends with a reset alone, so that path releases everything too.
            new Run(seed, new TrackingProvider(Backend2d.provider()), seed % 2 == 0).run(STEPS);
        }
    }

    /**
     * The same against a 3D-capable stand-in, so the context, capset and 3D checks get hostile
     * input too. Headless: the stand-in accepts 3D resources of any format, which a renderer
     * would refuse, and has no pixels for them.
     */
    @Test
    public void mutatedCommandsOnA3dCapableBackendAreAnsweredAndLeaveNothingBehind() {
        for (long seed : seeds()) {
            new Run(seed ^ 0x3d, new TrackingProvider(new TestBackend.Provider("test").headless()), true)
                    .run(STEPS / 2);
        }
    }

    /**
     * Found by the fuzzer (seed 0x2, 10000 steps): a SET_SCANOUT_BLOB whose stride is shorter
     * than a row was accepted, and the backend refused the frame at every flush, logged as a
     * host fault. The device refuses it itself now.
     */
    @Test
    public void scanoutBlobWithAStrideShorterThanARowIsRefused() {
        try (Run r = new Run(5, new TrackingProvider(Backend2d.provider()), true)) {
            GpuDriver d = r.d;
            assertEquals(CtrlType.RESP_OK_NODATA, d.createBlob(0, 1, Blobs.BLOB_MEM_GUEST,
                    Blobs.BLOB_FLAG_USE_SHAREABLE, 0, 64 * 64 * 4, d.allocateBacking(64 * 64 * 4)).type());
            dev.neep.gpu.protocol.Rect rect = new dev.neep.gpu.protocol.Rect(0, 0, 64, 64);
            for (int stride : new int[] {0, 4, 255}) {
                assertEquals("stride " + stride, CtrlType.RESP_ERR_INVALID_PARAMETER,
                        d.setScanoutBlob(0, 1, rect, 64, 64, Formats.B8G8R8X8_UNORM, stride, 0).type());
            }
            assertEquals(CtrlType.RESP_OK_NODATA,
                    d.setScanoutBlob(0, 1, rect, 64, 64, Formats.B8G8R8X8_UNORM, 256, 0).type());
            assertEquals(CtrlType.RESP_OK_NODATA, d.resourceFlush(1, rect).type());
            r.h.settle();
            assertEquals(r.faults.since(0), 0, r.faults.count());
            assertEquals(CtrlType.RESP_OK_NODATA, d.resourceUnref(1).type());
        }
    }

    /**
     * Every command cut at every byte of its fixed part: ERR_UNSPEC on the control queue
     * (echoing the header once it is whole), nothing at all on the cursor queue.
     */
    @Test
    public void requestsCutAtEveryByteAreRefused() {
        try (Run r = new Run(1, new TrackingProvider(Backend2d.provider()), true)) {
            for (int type : concat(COMMANDS, CURSOR_COMMANDS)) {
                ByteBuffer whole = r.valid(type).request;
                for (int cut = 0; cut < fixedSize(type); cut++) {
                    ByteBuffer part = whole.duplicate().limit(cut).slice();
                    boolean cursor = isCursor(type);
                    Sent s = r.send(new Sent(cursor ? GpuDriver.CURSOR_QUEUE : GpuDriver.CONTROL_QUEUE,
                            CtrlType.name(type) + " cut at " + cut, part, cut == 0 ? List.of() : List.of(part),
                            cursor ? 0 : 24));
                    if (!cursor) {
                        r.check(s.answerType() == CtrlType.RESP_ERR_UNSPEC, s, "a cut request is ERR_UNSPEC");
                    }
                }
            }
            r.h.settle();
            r.check(r.h.sink.cursors().isEmpty(), null, "no cursor from a cut cursor command");
            r.finish();
        }
    }

    /** A valid request split over two readable descriptors at every byte is the same request. */
    @Test
    public void requestsSplitAtEveryByteAreTheSameRequest() {
        try (Run r = new Run(2, new TrackingProvider(Backend2d.provider()), true)) {
            for (int cut = 1; cut < 40; cut++) {
                ByteBuffer create = r.create2d(7, Formats.B8G8R8X8_UNORM, 64, 32);
                r.check(r.sendSplit(create, cut).answerType() == CtrlType.RESP_OK_NODATA, null,
                        "create split at " + cut);
                ByteBuffer unref = r.cmd(CtrlType.CMD_RESOURCE_UNREF, 32, 0).putInt(24, 7);
                r.check(r.sendSplit(unref, Math.min(cut, 31)).answerType() == CtrlType.RESP_OK_NODATA, null,
                        "unref split at " + cut);
            }
            r.finish();
        }
    }

    /**
     * Chains no driver may build: each comes back once, with length 0, and the device goes on
     * answering. Loops, next past the table, readable after writable, buffers outside guest
     * memory or wrapping 2^64, indirect tables empty, ragged, nested, looping, outside memory
     * or combined with NEXT, and a head beyond the queue.
     */
    @Test
    public void malformedDescriptorChainsComeBackEmpty() {
        try (Run r = new Run(3, new TrackingProvider(Backend2d.provider()), true)) {
            malformedChains(r);
        }
    }

    private static void malformedChains(Run r) {
        DriverQueue q = r.d.queue(GpuDriver.CONTROL_QUEUE);
        long table = q.descTable();
        int top = q.size() - 1;
        long request = r.h.allocator.allocate(4096, 4096);
        r.h.memory.write(request, r.cmd(CtrlType.CMD_GET_DISPLAY_INFO, 24, 0));
        long response = request + 1024;
        long indirect = r.h.allocator.allocate(4096, 16);
        long end = Harness.BASE + MEMORY;
        int next = Virtq.DESC_F_NEXT;
        int write = Virtq.DESC_F_WRITE;
        int ind = Virtq.DESC_F_INDIRECT;
        Map<String, Runnable> cases = new LinkedHashMap<>();
        cases.put("a descriptor naming itself", () -> q.writeDescriptor(table, top, request, 24, next, top));
        cases.put("two descriptors in a loop", () -> {
            q.writeDescriptor(table, top, request, 24, next, top - 1);
            q.writeDescriptor(table, top - 1, response, 512, write | next, top);
        });
        cases.put("next beyond the queue", () -> q.writeDescriptor(table, top, request, 24, next, q.size()));
        cases.put("next 0xffff", () -> q.writeDescriptor(table, top, request, 24, next, 0xffff));
        cases.put("readable after writable", () -> {
            q.writeDescriptor(table, top, response, 512, write | next, top - 1);
            q.writeDescriptor(table, top - 1, request, 24, 0, 0);
        });
        cases.put("readable buffer below guest memory", () -> q.writeDescriptor(table, top, 0, 24, 0, 0));
        cases.put("readable buffer across the end of guest memory",
                () -> q.writeDescriptor(table, top, end - 8, 24, 0, 0));
        cases.put("readable buffer wrapping 2^64", () -> q.writeDescriptor(table, top, -16L, 64, 0, 0));
        cases.put("readable buffer of 4 GiB - 1", () -> q.writeDescriptor(table, top, request, 0xffff_ffffL, 0, 0));
        cases.put("writable buffer outside guest memory", () -> {
            q.writeDescriptor(table, top, request, 24, next, top - 1);
            q.writeDescriptor(table, top - 1, end, 512, write, 0);
        });
        cases.put("indirect table of length 0", () -> q.writeDescriptor(table, top, indirect, 0, ind, 0));
        cases.put("indirect table of 15 bytes", () -> q.writeDescriptor(table, top, indirect, 15, ind, 0));
        cases.put("indirect table of 4 GiB - 16", () -> q.writeDescriptor(table, top, indirect, 0xffff_fff0L, ind, 0));
        cases.put("indirect table outside guest memory", () -> q.writeDescriptor(table, top, end, 32, ind, 0));
        cases.put("indirect together with next", () -> {
            indirectTable(q, indirect, request, response);
            q.writeDescriptor(table, top, indirect, 32, ind | next, top - 1);
            q.writeDescriptor(table, top - 1, response, 512, write, 0);
        });
        cases.put("indirect inside indirect", () -> {
            q.writeDescriptor(indirect, 0, indirect + 1024, 32, ind, 0);
            indirectTable(q, indirect + 1024, request, response);
            q.writeDescriptor(table, top, indirect, 16, ind, 0);
        });
        cases.put("a loop inside an indirect table", () -> {
            q.writeDescriptor(indirect, 0, request, 24, next, 1);
            q.writeDescriptor(indirect, 1, response, 512, write | next, 0);
            q.writeDescriptor(table, top, indirect, 32, ind, 0);
        });
        cases.put("next beyond an indirect table", () -> {
            q.writeDescriptor(indirect, 0, request, 24, next, 2);
            q.writeDescriptor(indirect, 1, response, 512, write, 0);
            q.writeDescriptor(table, top, indirect, 32, ind, 0);
        });
        for (Map.Entry<String, Runnable> c : cases.entrySet()) {
            c.getValue().run();
            r.sendRawHead(q, top, c.getKey(), true);
            r.check(r.d.getDisplayInfo().hdr().type() == CtrlType.RESP_OK_DISPLAY_INFO, null,
                    "the device answers after " + c.getKey());
        }
        // A head index the descriptor table does not have.
        r.sendRawHead(q, q.size() + 3, "head beyond the queue", true);
        // The request read straight out of the descriptor table: any bytes, but a valid chain.
        q.writeDescriptor(table, top, table, 64, next, top - 1);
        q.writeDescriptor(table, top - 1, response, 512, write, 0);
        r.sendRawHead(q, top, "request bytes taken from the descriptor table", false);
        r.finish();
    }

    private static void indirectTable(DriverQueue q, long at, long request, long response) {
        q.writeDescriptor(at, 0, request, 24, Virtq.DESC_F_NEXT, 1);
        q.writeDescriptor(at, 1, response, 512, Virtq.DESC_F_WRITE, 0);
    }

    private static long[] seeds() {
        String one = System.getProperty("neep.fuzz.seed");
        if (one != null) {
            return new long[] {Long.decode(one)};
        }
        int many = Integer.getInteger("neep.fuzz.seeds", 0);
        return many > 0 ? java.util.stream.LongStream.rangeClosed(1, many).toArray() : SEEDS;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] all = new int[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /** The fixed part of command {@code type}, or -1 when it is no command. */
    static int fixedSize(int type) {
        return Command.of(type).map(Command::requestSize).orElse(-1);
    }

    static boolean isCursor(int type) {
        return type == CtrlType.CMD_UPDATE_CURSOR || type == CtrlType.CMD_MOVE_CURSOR;
    }

    /** The OK answer of a command. */
    static int okType(int type) {
        switch (type) {
            case CtrlType.CMD_GET_DISPLAY_INFO: return CtrlType.RESP_OK_DISPLAY_INFO;
            case CtrlType.CMD_GET_CAPSET_INFO: return CtrlType.RESP_OK_CAPSET_INFO;
            case CtrlType.CMD_GET_CAPSET: return CtrlType.RESP_OK_CAPSET;
            case CtrlType.CMD_GET_EDID: return CtrlType.RESP_OK_EDID;
            case CtrlType.CMD_RESOURCE_ASSIGN_UUID: return CtrlType.RESP_OK_RESOURCE_UUID;
            case CtrlType.CMD_RESOURCE_MAP_BLOB: return CtrlType.RESP_OK_MAP_INFO;
            default: return CtrlType.RESP_OK_NODATA;
        }
    }

    /** Bytes of an answer of {@code respType}; -1 for OK_CAPSET, whose size is the capset's. */
    static int answerSize(int respType) {
        switch (respType) {
            case CtrlType.RESP_OK_DISPLAY_INFO: return 408;
            case CtrlType.RESP_OK_CAPSET_INFO: return 40;
            case CtrlType.RESP_OK_CAPSET: return -1;
            case CtrlType.RESP_OK_EDID: return 1056;
            case CtrlType.RESP_OK_RESOURCE_UUID: return 40;
            case CtrlType.RESP_OK_MAP_INFO: return 32;
            default: return 24;
        }
    }

    /** The response buffer a driver gives a command. */
    static int responseLength(int type) {
        if (isCursor(type)) {
            return 0;
        }
        int size = answerSize(okType(type));
        return size < 0 ? 24 + 2048 : size;
    }

    /** One chain as sent and as answered. */
    static final class Sent {
        final int queue;
        final String what;
        final ByteBuffer request;
        final List<ByteBuffer> parts;
        final int writable;
        long usedLength = -1;
        ByteBuffer written;

        Sent(int queue, String what, ByteBuffer request, List<ByteBuffer> parts, int writable) {
            this.queue = queue;
            this.what = what;
            this.request = request.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            this.parts = parts;
            // A chain needs at least one buffer: an empty request gets a response buffer at least.
            this.writable = parts.isEmpty() && writable == 0 ? CtrlHdr.SIZE : writable;
        }

        int answerType() {
            return written != null && written.remaining() >= 4 ? written.getInt(0) : -1;
        }

        @Override
        public String toString() {
            ByteBuffer r = request.duplicate();
            byte[] head = new byte[Math.min(r.remaining(), 128)];
            r.get(head);
            return what + " on queue " + queue + ": " + request.remaining() + " readable bytes in " + parts.size()
                    + " descriptors [" + HexFormat.of().formatHex(head) + (request.remaining() > 128 ? "..." : "")
                    + "], " + writable + " writable -> " + (usedLength < 0 ? "not answered"
                    : "len " + usedLength + ", " + (answerType() == -1 ? "no answer" : CtrlType.name(answerType())));
        }
    }

    /** A request to send: its bytes, and how many of them trail the fixed part. */
    record Built(ByteBuffer request, int trailing) {
    }

    /** One seeded run against one device. */
    static final class Run implements AutoCloseable {
        final long seed;
        final Random rnd;
        final TrackingProvider provider;
        final boolean unrefAtEnd;
        final Harness h;
        GpuDriver d;
        final HostFaults faults;
        final long pool;
        final long memEnd;
        // What the answers so far say the device holds.
        final Map<Integer, int[]> resources = new LinkedHashMap<>(); // id -> {width, height, format}
        final Map<Integer, Long> hostmem = new LinkedHashMap<>();
        final Map<Integer, Long> blobs = new LinkedHashMap<>();
        final Set<Integer> contexts = new HashSet<>();
        final Deque<String> history = new ArrayDeque<>();
        /** How often each command got each answer: the run's coverage. */
        final Map<String, Integer> answers = new TreeMap<>();
        long fenceId;
        int step;

        Run(long seed, TrackingProvider provider, boolean unrefAtEnd) {
            this.seed = seed;
            this.rnd = new Random(seed);
            this.provider = provider;
            this.unrefAtEnd = unrefAtEnd;
            DeviceConfig config = DeviceConfig.defaults().withMaxOutputs(MAX_OUTPUTS).withMaxHostmem(MAX_HOSTMEM);
            this.h = Harness.start(config, provider, GpuDriver.Options.defaults().withTimeout(BOUND), MEMORY);
            this.d = h.driver;
            this.faults = HostFaults.of(h.device);
            this.pool = h.allocator.allocate(POOL, 4096);
            this.memEnd = Harness.BASE + MEMORY;
            byte[] noise = new byte[POOL];
            rnd.nextBytes(noise);
            h.memory.write(pool, ByteBuffer.wrap(noise));
        }

        void run(int steps) {
            try (this) {
                for (step = 0; step < steps; step++) {
                    oneStep();
                }
                if (Boolean.getBoolean("neep.fuzz.stats")) {
                    System.out.printf("seed 0x%x answers:%n", seed);
                    answers.forEach((k, v) -> System.out.printf("  %6d %s%n", v, k));
                }
                finish();
            }
        }

        @Override
        public void close() {
            h.close();
        }

        // ---- one step ----

        private void oneStep() {
            int kind = rnd.nextInt(100);
            int type = pick(PICKED);
            if (kind < 30) {
                sendControl("valid", valid(type));
            } else if (kind < 70) {
                Built b = valid(type);
                sendControl("mutated", new Built(mutate(b.request, 1 + rnd.nextInt(3)), b.trailing));
            } else if (kind < 76) {
                ByteBuffer whole = valid(type).request;
                int cut = rnd.nextInt(Math.min(whole.remaining(), fixedSize(type)));
                sendControl("cut at " + cut, new Built(whole.limit(cut).slice(), 0));
            } else if (kind < 81) {
                Built b = valid(type);
                byte[] extra = new byte[1 + rnd.nextInt(rnd.nextBoolean() ? 64 : 8192)];
                rnd.nextBytes(extra);
                ByteBuffer grown = ByteBuffer.allocate(b.request.remaining() + extra.length);
                grown.put(b.request.duplicate()).put(extra).flip();
                sendControl("grown by " + extra.length, new Built(grown, b.trailing + extra.length));
            } else if (kind < 86) {
                ByteBuffer any = ByteBuffer.allocate(rnd.nextBoolean() ? 24 + rnd.nextInt(120) : rnd.nextInt(200))
                        .order(ByteOrder.LITTLE_ENDIAN);
                byte[] bytes = new byte[any.capacity()];
                rnd.nextBytes(bytes);
                any.put(bytes).flip();
                if (any.remaining() >= 4 && rnd.nextBoolean()) {
                    any.putInt(0, rnd.nextBoolean() ? pick(NOT_COMMANDS) : pick(CURSOR_COMMANDS));
                }
                sendControl("not a command", new Built(any, 0));
            } else if (kind < 93) {
                int cursorType = pick(CURSOR_COMMANDS);
                ByteBuffer c = valid(cursorType).request;
                if (rnd.nextBoolean()) {
                    c = mutate(c, 1 + rnd.nextInt(2));
                }
                if (rnd.nextInt(8) == 0) {
                    c = c.limit(rnd.nextInt(c.remaining())).slice();
                }
                if (rnd.nextInt(8) == 0) {
                    c = valid(type).request; // a control command on the cursor queue
                }
                sendCursor(c);
            } else {
                sendOddChain(valid(type), rnd.nextBoolean() ? 0 : 1 + rnd.nextInt(2));
            }
        }

        private void sendControl(String how, Built b) {
            ByteBuffer req = b.request.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            int type = req.remaining() >= 4 ? req.getInt(0) : -1;
            List<ByteBuffer> parts = split(req, b.trailing);
            int wanted = fixedSize(type) > 0 && !isCursor(type) ? responseLength(type) : CtrlHdr.SIZE;
            int writable;
            int r = rnd.nextInt(100);
            if (r < 80) {
                writable = wanted;
            } else if (r < 87) {
                writable = wanted + 1 + rnd.nextInt(256);
            } else if (r < 95) {
                writable = rnd.nextInt(wanted);
            } else {
                writable = 0;
            }
            send(new Sent(GpuDriver.CONTROL_QUEUE, how + " " + CtrlType.name(type), req, parts,
                    writable));
        }

        private void sendCursor(ByteBuffer c) {
            List<ByteBuffer> parts = c.hasRemaining() ? split(c, 0) : List.of();
            send(new Sent(GpuDriver.CURSOR_QUEUE, "cursor queue", c, parts, rnd.nextInt(4) == 0 ? 24 : 0));
        }

        /** How a driver might lay the bytes over descriptors: as Linux does, in one, or cut anywhere. */
        private List<ByteBuffer> split(ByteBuffer req, int trailing) {
            List<ByteBuffer> parts = new ArrayList<>();
            int n = req.remaining();
            int r = rnd.nextInt(100);
            List<Integer> cuts = new ArrayList<>();
            if (r < 60 && trailing > 0 && trailing < n) {
                cuts.add(n - trailing);
            } else if (r >= 80 && n > 1) {
                for (int i = rnd.nextInt(4); i >= 0; i--) {
                    cuts.add(1 + rnd.nextInt(n - 1));
                }
                cuts.sort(null);
            }
            int from = 0;
            for (int cut : cuts) {
                if (cut > from) {
                    parts.add(req.duplicate().position(from).limit(cut).slice());
                    from = cut;
                }
            }
            if (n > from) {
                parts.add(req.duplicate().position(from).limit(n).slice());
            }
            return parts;
        }

        /**
         * A valid command in a chain a driver could build but Linux does not: zero-length
         * descriptors among the readable ones, the response in several writable pieces.
         */
        private void sendOddChain(Built b, int empties) {
            DriverQueue q = d.queue(GpuDriver.CONTROL_QUEUE);
            ByteBuffer req = b.request;
            int type = req.getInt(0);
            int wanted = responseLength(type);
            List<Long> allocations = new ArrayList<>();
            List<Segment> segments = new ArrayList<>();
            List<ByteBuffer> parts = split(req, b.trailing);
            for (ByteBuffer p : parts) {
                long at = h.allocator.allocate(p.remaining(), 8);
                allocations.add(at);
                h.memory.write(at, p.duplicate());
                segments.add(Segment.readable(at, p.remaining()));
                if (empties > 0 && rnd.nextBoolean()) {
                    segments.add(Segment.readable(at, 0));
                    empties--;
                }
            }
            long response = h.allocator.allocate(wanted, 8);
            allocations.add(response);
            h.memory.write(response, ByteBuffer.allocate(wanted));
            int pieces = 1 + rnd.nextInt(Math.min(4, wanted));
            long from = 0;
            for (int i = 1; i <= pieces; i++) {
                long to = i == pieces ? wanted : from + rnd.nextInt((int) (wanted - from - (pieces - i)) + 1);
                segments.add(Segment.writable(response + from, to - from));
                from = to;
            }
            if (segments.size() > q.numFree()) {
                allocations.forEach(h.allocator::free);
                return;
            }
            Sent s = new Sent(GpuDriver.CONTROL_QUEUE, "odd chain of " + segments.size() + " descriptors "
                    + CtrlType.name(type), req, parts, wanted);
            int head = q.add(segments);
            long len = awaitRaw(q, head, s);
            s.usedLength = len;
            ByteBuffer written = ByteBuffer.allocate((int) Math.min(len, wanted)).order(ByteOrder.LITTLE_ENDIAN);
            h.memory.read(response, written);
            s.written = written.flip();
            allocations.forEach(h.allocator::free);
            checkControlAnswer(s);
            afterStep(s);
        }

        /** Sends a chain whose descriptors the test wrote itself, and checks it came back once. */
        void sendRawHead(DriverQueue q, int head, String what, boolean malformed) {
            Sent s = new Sent(GpuDriver.CONTROL_QUEUE, what, ByteBuffer.allocate(0), List.of(), 0);
            q.publish(head);
            long len = awaitRaw(q, head, s);
            s.usedLength = len;
            if (malformed) {
                check(len == 0, s, "a malformed chain comes back with length 0");
            }
            afterStep(s);
        }

        /**
         * Kicks the device and waits, bounded, for the used index to move by one: the chain
         * was the only one out, so it is the new used element. The driver takes the element
         * off the ring at its next wait, as one it never sent.
         */
        private long awaitRaw(DriverQueue q, int head, Sent s) {
            int before = q.usedIndex();
            q.kickNeeded();
            h.device.queueNotify(GpuDriver.CONTROL_QUEUE);
            waitFor(() -> q.usedIndex() != before, s);
            h.settle();
            check(q.usedIndex() == ((before + 1) & 0xffff), s, "exactly one used element (used idx " + before
                    + " -> " + q.usedIndex() + ")");
            long element = Virtq.usedEntry(q.usedRing(), before & (q.size() - 1));
            int id = h.memory.readInt(element + Virtq.USED_ELEM_ID);
            check(id == head, s, "the used element names head " + head + ", not " + id);
            return Integer.toUnsignedLong(h.memory.readInt(element + Virtq.USED_ELEM_LEN));
        }

        private void waitFor(BooleanSupplier done, Sent s) {
            long deadline = System.nanoTime() + BOUND.toNanos();
            while (!done.getAsBoolean()) {
                if (System.nanoTime() > deadline) {
                    check(false, s, "the device gave the chain back within " + BOUND.toMillis() + " ms");
                }
                Thread.onSpinWait();
            }
        }

        /** Sends through the guest driver (which waits for the interrupt) and checks the answer. */
        Sent send(Sent s) {
            PendingCommand c;
            try {
                c = d.submitRaw(s.queue, s.parts, s.writable);
                c.awaitUsed();
            } catch (RuntimeException e) {
                throw failure(s, "no answer: " + e.getMessage(), e);
            }
            s.usedLength = c.usedLength();
            if (s.queue == GpuDriver.CONTROL_QUEUE) {
                readWritten(c, s);
                checkControlAnswer(s);
            } else {
                check(s.usedLength == 0, s, "cursor commands are given back with length 0");
            }
            afterStep(s);
            return s;
        }

        Sent sendSplit(ByteBuffer req, int cut) {
            List<ByteBuffer> parts = List.of(req.duplicate().limit(cut).slice(),
                    req.duplicate().position(cut).slice());
            return send(new Sent(GpuDriver.CONTROL_QUEUE, "split at " + cut, req, parts,
                    responseLength(req.getInt(0))));
        }

        /** The answer as the driver decoded it, encoded again (the checks read its header); null if none. */
        private static void readWritten(PendingCommand c, Sent s) {
            try {
                Response response = c.await();
                ByteBuffer b = ByteBuffer.allocate(8192).order(ByteOrder.LITTLE_ENDIAN);
                response.encode(b);
                s.written = b.flip();
            } catch (GpuCommandException e) {
                s.written = null;
            }
        }

        /** The rules every control answer keeps, then what it tells about the device's state. */
        private void checkControlAnswer(Sent s) {
            ByteBuffer req = s.request;
            int readable = req.remaining();
            if (s.writable < CtrlHdr.SIZE) {
                check(s.usedLength == 0, s, "no room for a header: nothing written, length 0");
                return;
            }
            check(s.usedLength >= CtrlHdr.SIZE && s.usedLength <= s.writable, s,
                    "the used length is a header or more, within the writable bytes");
            check(s.written != null, s, "the answer decodes");
            int answer = s.answerType();
            boolean error = answer >= CtrlType.RESP_ERR_UNSPEC && answer <= CtrlType.RESP_ERR_INVALID_PARAMETER;
            int type = readable >= 4 ? req.getInt(0) : -1;
            int fixed = fixedSize(type);
            boolean command = fixed > 0 && !isCursor(type);
            check(error || command && answer == okType(type), s, "an OK answer of the command's own type, or ERR_*");
            int size = answerSize(answer);
            check(size < 0 ? s.usedLength >= CtrlHdr.SIZE : s.usedLength == size, s,
                    "the used length is the size of the answer");
            if (readable < CtrlHdr.SIZE || !command || readable < fixed || s.writable < responseLength(type)
                    && type != CtrlType.CMD_GET_CAPSET) {
                check(answer == CtrlType.RESP_ERR_UNSPEC, s, "short, unknown or unanswerable requests: ERR_UNSPEC");
            }
            if (readable >= CtrlHdr.SIZE) {
                CtrlHdr sent = CtrlHdr.decode(req.duplicate().order(ByteOrder.LITTLE_ENDIAN)).value();
                CtrlHdr expect = sent.responseHeader(answer);
                CtrlHdr got = CtrlHdr.decode(s.written.duplicate()).value();
                check(expect.equals(got), s, "the answer's header echoes the fence: expected " + expect);
            }
            answers.merge((command ? CtrlType.name(type) : "not a command") + " -> " + CtrlType.name(answer), 1,
                    Integer::sum);
            if (!error && readable >= fixed) {
                learn(type, req.duplicate().order(ByteOrder.LITTLE_ENDIAN));
            }
        }

        /** What an OK answer says the device now holds. */
        private void learn(int type, ByteBuffer req) {
            int ctx = req.getInt(16);
            switch (type) {
                case CtrlType.CMD_RESOURCE_CREATE_2D -> {
                    int id = req.getInt(24);
                    int format = req.getInt(28);
                    int w = req.getInt(32);
                    int hgt = req.getInt(36);
                    resources.put(id, new int[] {w, hgt, format});
                    hostmem.put(id, (long) w * hgt * Formats.bytesPerPixel(format));
                }
                case CtrlType.CMD_RESOURCE_CREATE_BLOB -> {
                    int id = req.getInt(24);
                    long size = req.getLong(48);
                    resources.put(id, new int[] {0, 0, 0});
                    blobs.put(id, size);
                    hostmem.put(id, size);
                }
                case CtrlType.CMD_RESOURCE_CREATE_3D -> {
                    int id = req.getInt(24);
                    resources.put(id, new int[] {req.getInt(40), req.getInt(44), req.getInt(32)});
                    hostmem.put(id, 0L);
                }
                case CtrlType.CMD_RESOURCE_UNREF -> {
                    int id = req.getInt(24);
                    resources.remove(id);
                    hostmem.remove(id);
                    blobs.remove(id);
                }
                case CtrlType.CMD_CTX_CREATE -> contexts.add(ctx);
                case CtrlType.CMD_CTX_DESTROY -> contexts.remove(ctx);
                default -> {
                }
            }
        }

        /** After every chain: no host fault, and the device's accounts equal the answers'. */
        private void afterStep(Sent s) {
            remember(s);
            check(faults.count() == 0, s, "no host fault for a guest's input:\n" + faults.since(0));
            check(h.device.resourceCount() == resources.size(), s, "resources: device "
                    + h.device.resourceCount() + ", answers " + resources.keySet());
            long charged = hostmem.values().stream().mapToLong(Long::longValue).sum();
            check(h.device.hostMemoryUsed() == charged, s, "host memory: device " + h.device.hostMemoryUsed()
                    + ", answers " + charged);
            check(h.device.contextCount() == contexts.size(), s, "contexts: device " + h.device.contextCount()
                    + ", answers " + contexts);
            check(provider.liveResources() == resources.size(), s, "resources in the backend: "
                    + provider.liveResources() + ", answers " + resources.size());
        }

        /** Unreferences everything, resets, and checks the device is empty and still serves. */
        void finish() {
            if (unrefAtEnd) {
                for (int id : List.copyOf(resources.keySet())) {
                    send(new Sent(GpuDriver.CONTROL_QUEUE, "final unref", cmd(CtrlType.CMD_RESOURCE_UNREF, 32, 0)
                            .putInt(24, id), List.of(cmd(CtrlType.CMD_RESOURCE_UNREF, 32, 0).putInt(24, id)), 24));
                    check(!resources.containsKey(id), null, "final unref of " + Integer.toUnsignedString(id));
                }
                for (int ctx : List.copyOf(contexts)) {
                    ByteBuffer destroy = cmd(CtrlType.CMD_CTX_DESTROY, 24, ctx);
                    send(new Sent(GpuDriver.CONTROL_QUEUE, "final ctx destroy", destroy, List.of(destroy), 24));
                    check(!contexts.contains(ctx), null, "final destroy of context " + ctx);
                }
                h.settle();
                checkEmpty("after unref of everything");
                check(provider.liveBackings() == 0, null, "backings left in the backend: " + provider.liveBackings());
            }
            h.driver.close();
            checkEmpty("after reset");
            check(provider.openInstances() <= 1, null, "backend instances open: " + provider.openInstances());
            check(provider.liveResources() == 0 && provider.liveBackings() == 0, null,
                    "the backend holds nothing after reset");
            resources.clear();
            hostmem.clear();
            blobs.clear();
            contexts.clear();
            d = GpuDriver.start(h.device, h.memory, h.allocator, GpuDriver.Options.defaults().withTimeout(BOUND));
            h.driver = d;
            check(d.getDisplayInfo().hdr().type() == CtrlType.RESP_OK_DISPLAY_INFO, null,
                    "GET_DISPLAY_INFO after the run");
            check(faults.count() == 0, null, "no host fault:\n" + faults.since(0));
        }

        private void checkEmpty(String when) {
            check(h.device.resourceCount() == 0, null, when + ": resources " + h.device.resourceCount());
            check(h.device.hostMemoryUsed() == 0, null, when + ": host memory " + h.device.hostMemoryUsed());
            check(h.device.parkedFences() == 0, null, when + ": parked fences " + h.device.parkedFences());
            check(h.device.contextCount() == 0, null, when + ": contexts " + h.device.contextCount());
        }

        private void remember(Sent s) {
            if (history.size() == HISTORY) {
                history.removeFirst();
            }
            history.addLast("step " + step + ": " + s);
        }

        void check(boolean ok, Sent s, String rule) {
            if (!ok) {
                throw failure(s, rule, null);
            }
        }

        private AssertionError failure(Sent s, String rule, Throwable cause) {
            String message = String.format("seed 0x%x (replay: -Dneep.fuzz.seed=0x%x), step %d: %s%n  chain: %s"
                    + "%n  last chains:%n    %s", seed, seed, step, rule, s,
                    String.join("\n    ", history));
            AssertionError e = new AssertionError(message);
            if (cause != null) {
                e.initCause(cause);
            }
            return e;
        }

        // ---- building requests ----

        ByteBuffer cmd(int type, int size, int ctx) {
            ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
            b.putInt(0, type);
            b.putInt(16, ctx);
            return b;
        }

        /** Some requests fenced, on the global timeline or on a ring of their context. */
        private Built maybeFenced(Built b) {
            if (!isCursor(b.request.getInt(0)) && rnd.nextInt(100) < 15) {
                int flags = CtrlFlags.FLAG_FENCE | (rnd.nextBoolean() ? CtrlFlags.FLAG_INFO_RING_IDX : 0);
                b.request.putInt(4, flags);
                b.request.putLong(8, ++fenceId);
                b.request.put(20, (byte) rnd.nextInt(256));
            }
            return b;
        }

        ByteBuffer create2d(int id, int format, int w, int hgt) {
            return cmd(CtrlType.CMD_RESOURCE_CREATE_2D, 40, 0).putInt(24, id).putInt(28, format).putInt(32, w)
                    .putInt(36, hgt);
        }

        /** A request that would be accepted given what the guest holds (as far as the generator knows). */
        Built valid(int type) {
            return maybeFenced(unfenced(type));
        }

        private Built unfenced(int type) {
            int ctx = contexts.isEmpty() || rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(3) : pick(contexts);
            switch (type) {
                case CtrlType.CMD_RESOURCE_CREATE_2D: {
                    boolean cursor = rnd.nextInt(6) == 0;
                    int w = cursor ? 64 : 1 + rnd.nextInt(rnd.nextBoolean() ? 64 : 512);
                    int hgt = cursor ? 64 : 1 + rnd.nextInt(rnd.nextBoolean() ? 64 : 512);
                    return new Built(create2d(newId(), pick(FORMATS_2D), w, hgt), 0);
                }
                case CtrlType.CMD_RESOURCE_UNREF:
                case CtrlType.CMD_RESOURCE_DETACH_BACKING:
                case CtrlType.CMD_RESOURCE_ASSIGN_UUID:
                case CtrlType.CMD_RESOURCE_UNMAP_BLOB:
                    return new Built(cmd(type, 32, 0).putInt(24, someId()), 0);
                case CtrlType.CMD_CTX_ATTACH_RESOURCE:
                case CtrlType.CMD_CTX_DETACH_RESOURCE:
                    return new Built(cmd(type, 32, ctx).putInt(24, someId()), 0);
                case CtrlType.CMD_SET_SCANOUT: {
                    int id = rnd.nextInt(8) == 0 ? 0 : someId();
                    ByteBuffer b = cmd(type, 48, 0);
                    putRect(b, 24, id);
                    return new Built(b.putInt(40, rnd.nextInt(MAX_OUTPUTS)).putInt(44, id), 0);
                }
                case CtrlType.CMD_RESOURCE_FLUSH: {
                    int id = someId();
                    ByteBuffer b = cmd(type, 48, 0);
                    putRect(b, 24, id);
                    return new Built(b.putInt(40, id), 0);
                }
                case CtrlType.CMD_TRANSFER_TO_HOST_2D: {
                    int id = someId();
                    ByteBuffer b = cmd(type, 56, 0);
                    putRect(b, 24, id);
                    int[] dims = resources.getOrDefault(id, new int[] {64, 64, 1});
                    long offset = ((long) b.getInt(28) * dims[0] + b.getInt(24)) * 4;
                    return new Built(b.putLong(40, offset).putInt(48, id), 0);
                }
                case CtrlType.CMD_RESOURCE_ATTACH_BACKING: {
                    int id = someId();
                    int[] dims = resources.getOrDefault(id, new int[] {64, 64, 1});
                    long bytes = Math.max(1, Math.min(POOL, (long) dims[0] * dims[1] * 4));
                    ByteBuffer entries = entries(bytes);
                    int n = entries.remaining() / 16;
                    return withTrailing(cmd(type, 32, 0).putInt(24, id).putInt(28, n), entries);
                }
                case CtrlType.CMD_GET_CAPSET_INFO:
                    return new Built(cmd(type, 32, 0).putInt(24, rnd.nextInt(3)), 0);
                case CtrlType.CMD_GET_CAPSET:
                    return new Built(cmd(type, 32, 0).putInt(24, 1 + rnd.nextInt(2)).putInt(28, 1 + rnd.nextInt(2)),
                            0);
                case CtrlType.CMD_GET_EDID:
                    return new Built(cmd(type, 32, 0).putInt(24, rnd.nextInt(MAX_OUTPUTS)), 0);
                case CtrlType.CMD_RESOURCE_CREATE_BLOB: {
                    long size = 64 * 64 * 4L * (1 + rnd.nextInt(4));
                    ByteBuffer entries = entries(size);
                    boolean host = !contexts.isEmpty() && rnd.nextInt(4) == 0;
                    ByteBuffer b = cmd(type, 56, host ? pick(contexts) : 0).putInt(24, newId())
                            .putInt(28, host ? Blobs.BLOB_MEM_HOST3D : Blobs.BLOB_MEM_GUEST)
                            .putInt(32, Blobs.BLOB_FLAG_USE_SHAREABLE).putLong(48, size);
                    if (host) {
                        return new Built(b, 0);
                    }
                    return withTrailing(b.putInt(36, entries.remaining() / 16), entries);
                }
                case CtrlType.CMD_SET_SCANOUT_BLOB: {
                    int id = blobs.isEmpty() ? someId() : pick(blobs.keySet());
                    int w = 64;
                    int hgt = 64;
                    ByteBuffer b = cmd(type, 96, 0);
                    b.putInt(24, 0).putInt(28, 0).putInt(32, w).putInt(36, hgt);
                    return new Built(b.putInt(40, rnd.nextInt(MAX_OUTPUTS)).putInt(44, id).putInt(48, w)
                            .putInt(52, hgt).putInt(56, Formats.B8G8R8X8_UNORM).putInt(64, w * 4), 0);
                }
                case CtrlType.CMD_RESOURCE_MAP_BLOB:
                    return new Built(cmd(type, 40, 0).putInt(24, someId()).putLong(32, 0), 0);
                case CtrlType.CMD_CTX_CREATE: {
                    int id = rnd.nextInt(8) == 0 ? pick(EDGE32) : 1 + rnd.nextInt(4);
                    ByteBuffer b = cmd(type, 96, id);
                    int nlen = rnd.nextInt(65);
                    for (int i = 0; i < nlen; i++) {
                        b.put(32 + i, (byte) ('a' + rnd.nextInt(26)));
                    }
                    return new Built(b.putInt(24, nlen).putInt(28, rnd.nextInt(3) == 0 ? 1 + rnd.nextInt(2) : 0), 0);
                }
                case CtrlType.CMD_CTX_DESTROY:
                    return new Built(cmd(type, 24, ctx), 0);
                case CtrlType.CMD_RESOURCE_CREATE_3D: {
                    ByteBuffer b = cmd(type, 72, ctx).putInt(24, newId()).putInt(28, 2).putInt(32, pick(FORMATS_2D))
                            .putInt(36, 2).putInt(40, 1 + rnd.nextInt(256)).putInt(44, 1 + rnd.nextInt(256))
                            .putInt(48, 1).putInt(52, 1);
                    return new Built(b, 0);
                }
                case CtrlType.CMD_TRANSFER_TO_HOST_3D:
                case CtrlType.CMD_TRANSFER_FROM_HOST_3D: {
                    int id = someId();
                    int[] dims = resources.getOrDefault(id, new int[] {64, 64, 1});
                    ByteBuffer b = cmd(type, 72, ctx);
                    putRect(b, 24, id); // x, y, z(=w), ... then fix the box's six words
                    int x = b.getInt(24);
                    int y = b.getInt(28);
                    b.putInt(32, 0).putInt(36, Math.max(1, dims[0] - x)).putInt(40, Math.max(1, dims[1] - y))
                            .putInt(44, 1);
                    return new Built(b.putLong(48, 0).putInt(56, id).putInt(64, dims[0] * 4), 0);
                }
                case CtrlType.CMD_SUBMIT_3D: {
                    byte[] stream = new byte[4 * rnd.nextInt(64)];
                    rnd.nextBytes(stream);
                    ByteBuffer b = cmd(type, 32, ctx).putInt(24, stream.length);
                    return stream.length == 0 ? new Built(b, 0) : withTrailing(b, ByteBuffer.wrap(stream));
                }
                case CtrlType.CMD_UPDATE_CURSOR:
                case CtrlType.CMD_MOVE_CURSOR: {
                    ByteBuffer b = cmd(type, 56, 0);
                    return new Built(b.putInt(24, rnd.nextInt(MAX_OUTPUTS)).putInt(28, rnd.nextInt(1024))
                            .putInt(32, rnd.nextInt(768)).putInt(40, someId()).putInt(44, rnd.nextInt(64))
                            .putInt(48, rnd.nextInt(64)), 0);
                }
                default:
                    return new Built(cmd(type, 24, 0), 0);
            }
        }

        private static Built withTrailing(ByteBuffer fixed, ByteBuffer trailing) {
            ByteBuffer all = ByteBuffer.allocate(fixed.capacity() + trailing.remaining()).order(ByteOrder.LITTLE_ENDIAN);
            all.put(fixed.duplicate().clear()).put(trailing.duplicate()).flip();
            return new Built(all, trailing.remaining());
        }

        /** Memory entries covering {@code bytes}: mostly pages of the pool, sometimes anything at all. */
        private ByteBuffer entries(long bytes) {
            int n = 1 + rnd.nextInt(4);
            ByteBuffer b = ByteBuffer.allocate(n * 16).order(ByteOrder.LITTLE_ENDIAN);
            long left = bytes;
            boolean hostile = rnd.nextInt(5) == 0;
            for (int i = 0; i < n; i++) {
                long len = i == n - 1 ? left : Math.min(left, rnd.nextInt((int) Math.min(left, POOL) + 1));
                left -= len;
                long addr = pool + rnd.nextInt((int) (POOL - len) + 1);
                int length = (int) len;
                if (hostile && rnd.nextBoolean()) {
                    DriverQueue q = d.queue(GpuDriver.CONTROL_QUEUE);
                    long[] addrs = {0, Harness.BASE - 4096, memEnd - 16, memEnd, -1L, -4096L, Long.MIN_VALUE,
                        q.descTable(), q.availRing(), q.usedRing(), pool + POOL - 8};
                    addr = addrs[rnd.nextInt(addrs.length)];
                    if (rnd.nextBoolean()) {
                        length = pick(EDGE32);
                    }
                }
                b.putLong(addr).putInt(length).putInt(0);
            }
            return b.flip();
        }

        /** A rectangle of the resource's: inside it mostly, on or past its edges sometimes. */
        private void putRect(ByteBuffer b, int at, int id) {
            int[] dims = resources.getOrDefault(id, new int[] {64, 64, 1});
            int w = Math.max(1, dims[0]);
            int hgt = Math.max(1, dims[1]);
            int x;
            int y;
            int rw;
            int rh;
            switch (rnd.nextInt(8)) {
                case 0 -> {
                    x = 0;
                    y = 0;
                    rw = w;
                    rh = hgt;
                }
                case 1 -> {
                    x = w - 1;
                    y = hgt - 1;
                    rw = 1;
                    rh = 1;
                }
                case 2 -> {
                    x = w;
                    y = 0;
                    rw = 1;
                    rh = hgt;
                }
                case 3 -> {
                    x = 0;
                    y = 0;
                    rw = w + 1;
                    rh = hgt;
                }
                default -> {
                    x = rnd.nextInt(w);
                    y = rnd.nextInt(hgt);
                    rw = 1 + rnd.nextInt(w - x);
                    rh = 1 + rnd.nextInt(hgt - y);
                }
            }
            b.putInt(at, x).putInt(at + 4, y).putInt(at + 8, rw).putInt(at + 12, rh);
        }

        private int newId() {
            if (rnd.nextInt(10) == 0) {
                return pick(EDGE32);
            }
            return 1 + rnd.nextInt(12);
        }

        private int someId() {
            if (resources.isEmpty() || rnd.nextInt(8) == 0) {
                return rnd.nextBoolean() ? pick(EDGE32) : 1 + rnd.nextInt(12);
            }
            return pick(resources.keySet());
        }

        /**
         * Sets {@code n} fields of the request to boundary values: header fields by their
         * width, payload words (every field there is a 32- or 64-bit word), or a random bit.
         */
        private ByteBuffer mutate(ByteBuffer req, int n) {
            ByteBuffer b = ByteBuffer.allocate(req.remaining()).order(ByteOrder.LITTLE_ENDIAN);
            b.put(req.duplicate()).flip();
            int size = b.remaining();
            for (int i = 0; i < n && size >= 24; i++) {
                int what = rnd.nextInt(100);
                if (what < 6) {
                    b.putInt(0, rnd.nextBoolean() ? pick(COMMANDS) : pick(NOT_COMMANDS));
                } else if (what < 16) {
                    b.putInt(4, rnd.nextBoolean() ? rnd.nextInt(4) : pick(EDGE32));
                    b.putLong(8, rnd.nextBoolean() ? ++fenceId : pick(EDGE64));
                } else if (what < 22) {
                    b.putInt(16, rnd.nextBoolean() ? pick(EDGE32) : rnd.nextInt(4));
                } else if (what < 28) {
                    b.put(20 + rnd.nextInt(4), (byte) rnd.nextInt(256));
                } else if (what < 34) {
                    int bit = rnd.nextInt(size * 8);
                    b.put(bit / 8, (byte) (b.get(bit / 8) ^ (1 << (bit % 8))));
                } else if (size > 24) {
                    boolean wide = rnd.nextInt(4) == 0 && size >= 32;
                    if (wide) {
                        int at = 24 + 8 * rnd.nextInt((size - 24) / 8);
                        b.putLong(at, pick(EDGE64));
                    } else {
                        int at = 24 + 4 * rnd.nextInt((size - 24) / 4);
                        b.putInt(at, rnd.nextInt(3) == 0 ? b.getInt(at) + rnd.nextInt(3) - 1 : pick(EDGE32));
                    }
                }
            }
            return b;
        }

        private int pick(int[] values) {
            return values[rnd.nextInt(values.length)];
        }

        private long pick(long[] values) {
            return values[rnd.nextInt(values.length)];
        }

        private int pick(Set<Integer> values) {
            int i = rnd.nextInt(values.size());
            for (int v : values) {
                if (i-- == 0) {
                    return v;
                }
            }
            throw new IllegalStateException();
        }
    }

    /** The recorder the runs rely on sees a host fault (here a sink that throws) for what it is. */
    @Test
    public void hostFaultsAreSeen() {
        try (Run r = new Run(4, new TrackingProvider(Backend2d.provider()), true)) {
            r.h.sink.toThrow = new IllegalStateException("sink broke");
            r.d.drawPattern(64, 64);
            r.h.settle();
            assertTrue(r.faults.since(0), r.faults.count() > 0);
            assertTrue(r.faults.since(0), r.faults.since(0).contains("sink broke"));
        }
    }

    @Test
    public void answerSizesMatchTheProtocol() {
        // The tables above are the test's own reading of the spec; keep them honest.
        assertEquals(408, dev.neep.gpu.protocol.RespDisplayInfo.SIZE);
        assertEquals(40, dev.neep.gpu.protocol.RespCapsetInfo.SIZE);
        assertEquals(1056, dev.neep.gpu.protocol.RespEdid.SIZE);
        assertEquals(40, dev.neep.gpu.protocol.RespResourceUuid.SIZE);
        assertEquals(32, dev.neep.gpu.protocol.RespMapInfo.SIZE);
        for (int type : concat(COMMANDS, CURSOR_COMMANDS)) {
            if (fixedSize(type) <= 0) {
                fail(CtrlType.name(type) + " has no fixed size");
            }
        }
    }
}
