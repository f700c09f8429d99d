package dev.neep.gpu.device.internal;

import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_CONTEXT_ID;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_PARAMETER;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_UNSPEC;

import dev.neep.gpu.api.Fence;
import dev.neep.gpu.device.internal.CommandTable.Trailing;
import dev.neep.gpu.device.internal.ParkedFences.Timeline;
import dev.neep.gpu.protocol.Command;
import dev.neep.gpu.protocol.CtrlHdr;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.Decoded;
import dev.neep.gpu.protocol.GpuFeatures;
import dev.neep.gpu.protocol.Request;
import dev.neep.gpu.protocol.RespNoData;
import dev.neep.gpu.protocol.Response;
import dev.neep.gpu.protocol.UpdateCursor;
import dev.neep.virtio.ChainException;
import dev.neep.virtio.ChainReader;
import dev.neep.virtio.ChainWriter;
import dev.neep.virtio.GuestMemoryException;
import dev.neep.virtio.OnceLog;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * One command's way from its chain to its handler and back: the header decoded once, the
 * sizes of request and answer checked against the {@link Command} table before anything
 * runs, the handler found in the {@link CommandTable}, the one place answers are encoded,
 * and the hand-off of a fenced command's answer to the fence it waits for.
 *
 * <p>Confined to the device thread; the queue layer owns the chains and the parked fences.
 */
final class Framing {

    /**
     * What the queue layer does with one control command: how much was written, and whether to
     * park it on a fence, or hold the queue until the front end answers ({@code held}).
     */
    record Processed(long written, Timeline timeline, long fenceId, Held held) {
        Processed(long written) {
            this(written, null, 0, null);
        }

        boolean parked() {
            return timeline != null;
        }
    }

    /** A command whose reply {@code later} gives; {@link #finish} answers it then. */
    record Held(CtrlHdr hdr, Command<?> command, ChainWriter out, Later later) {
    }

    private final OnceLog log;
    private final CommandTable table;
    private final BackendSlot backend;
    private final Checks checks;
    private final ContextTable contexts;
    /** The last fence id given to the backend; see {@link #control}. */
    private long lastFenceId;

    Framing(OnceLog log, CommandTable table, BackendSlot backend, Checks checks, ContextTable contexts) {
        this.log = log;
        this.table = table;
        this.backend = backend;
        this.checks = checks;
        this.contexts = contexts;
    }

    /**
     * Processes one control command from {@code in}, answering into {@code out}. A command
     * whose answer has no room at all is not executed. A fenced command that succeeded has
     * had its fence created and comes back with the timeline and the fence id to park it on.
     * A command whose reply the front end gives comes back {@code held}, nothing written yet:
     * {@link #finish} answers it when the reply is there.
     *
     * <p>The answer echoes the guest's fence id, but the backend gets one of the device's own:
     * an increasing sequence over the device's life. A backend instance outlives the drivers
     * (reset keeps it), and each new driver starts its ids at 1 again; with the guest's ids, a
     * fence of the previous driver that the backend signals late would complete the new
     * driver's command of the same id.
     */
    Processed control(ChainReader in, ChainWriter out) {
        if (out.remaining() < CtrlHdr.SIZE) {
            log.guest("controlq: no room for a response", "chain has " + out.remaining()
                    + " writable bytes, a response needs " + CtrlHdr.SIZE + "; command not executed");
            return new Processed(0);
        }
        if (in.remaining() < CtrlHdr.SIZE) {
            log.guest("controlq: short header", "chain has " + in.remaining() + " readable bytes, a header needs "
                    + CtrlHdr.SIZE);
            return respond(out, null, Reply.error(RESP_ERR_UNSPEC));
        }
        CtrlHdr hdr = CtrlHdr.decode(in.readBuffer(CtrlHdr.SIZE)).value();
        Optional<Command<?>> known = Command.of(hdr.type()).filter(c -> c.queue() == Command.Queue.CONTROL);
        if (known.isEmpty()) {
            // One cause for every unknown type: a guest must not grow the log's cause table at will.
            log.guest("controlq: unknown command", hdr.toString());
            return respond(out, hdr, Reply.error(RESP_ERR_UNSPEC));
        }
        Command<?> command = known.get();
        int fixed = command.requestSize();
        if (in.remaining() < fixed - CtrlHdr.SIZE) {
            log.guest(command + ": short request", "needs " + fixed + " bytes, chain has "
                    + (in.remaining() + CtrlHdr.SIZE));
            return respond(out, hdr, Reply.error(RESP_ERR_UNSPEC));
        }
        Decoded<? extends Request> decoded = command.decodeBody(hdr, in.readBuffer(fixed - CtrlHdr.SIZE));
        if (!decoded.isOk()) {
            log.guest(command + ": undecodable", decoded.error().message());
            return respond(out, hdr, Reply.error(RESP_ERR_UNSPEC));
        }
        if (out.remaining() < command.responseSize()) {
            log.guest(command + ": response buffer too small", "needs " + command.responseSize()
                    + " writable bytes, chain has " + out.remaining() + "; command not executed");
            return respond(out, hdr, Reply.error(RESP_ERR_UNSPEC));
        }
        Reply reply = checkFence(hdr);
        if (reply == null) {
            reply = executeGuarded(decoded.value(), new Trailing(in, out.remaining()));
        }
        if (reply.later() != null) {
            return new Processed(0, null, 0, new Held(hdr, command, out, reply.later()));
        }
        return finish(hdr, command, out, reply);
    }

    /** Answers a command that ran (now, or a held one once its reply came), and creates its fence. */
    Processed finish(Held held, Reply reply) {
        return finish(held.hdr(), held.command(), held.out(), reply);
    }

    private Processed finish(CtrlHdr hdr, Command<?> command, ChainWriter out, Reply reply) {
        if (!reply.isOk() || !hdr.isFenced()) {
            return respond(out, hdr, reply);
        }
        Fence fence = new Fence(hdr.flags() & (Fence.FLAG_FENCE | Fence.FLAG_INFO_RING_IDX), ++lastFenceId,
                hdr.ctxId(), hdr.hasRingIdx() ? hdr.ringIdx() : 0);
        Reply failed = backend.call(command + ": create fence", b -> b.createFence(fence));
        if (failed != null) {
            return respond(out, hdr, failed);
        }
        Timeline timeline = Timeline.of(fence.onRing(), fence.ctxId(), fence.ringIdx());
        return new Processed(respond(out, hdr, reply).written(), timeline, fence.fenceId(), null);
    }

    /** One cursor command; cursor commands have no answer, the caller gives the chain back with length 0. */
    void cursor(ChainReader in) {
        if (in.remaining() < UpdateCursor.SIZE) {
            log.guest("cursorq: short request", "chain has " + in.remaining() + " readable bytes, a cursor command"
                    + " needs " + UpdateCursor.SIZE);
            return;
        }
        CtrlHdr hdr = CtrlHdr.decode(in.readBuffer(CtrlHdr.SIZE)).value();
        ByteBuffer body = in.readBuffer(UpdateCursor.SIZE - CtrlHdr.SIZE);
        Optional<Command<?>> known = Command.of(hdr.type()).filter(c -> c.queue() == Command.Queue.CURSOR);
        if (known.isEmpty()) {
            log.guest("cursorq: not a cursor command", CtrlType.name(hdr.type()) + " ignored on the cursor queue");
            return;
        }
        table.execute(known.get().decodeBody(hdr, body).value(), new Trailing(in, 0));
    }

    /**
     * Runs one decoded request: validation, then the backend, then the device's own state.
     * A chain that ends or leaves guest memory while the handler reads it is the guest's
     * mistake; anything else thrown is a host fault.
     */
    private Reply executeGuarded(Request request, Trailing trailing) {
        try {
            return table.execute(request, trailing);
        } catch (ChainException | GuestMemoryException e) {
            return checks.refuse(request.hdr(), "guest memory", e.getMessage(), RESP_ERR_UNSPEC);
        } catch (RuntimeException e) {
            log.host(CtrlType.name(request.hdr().type()) + ": " + e.getClass().getName(),
                    "a handler failed; answered RESP_ERR_UNSPEC", e);
            return Reply.error(RESP_ERR_UNSPEC);
        }
    }

    /** The fence timeline a fenced command names must exist before the command runs. */
    private Reply checkFence(CtrlHdr h) {
        if (!h.isFenced() || !h.hasRingIdx()) {
            return null;
        }
        if (!checks.negotiated(GpuFeatures.CONTEXT_INIT)) {
            return checks.refuse(h, "FLAG_INFO_RING_IDX", "ring fences need VIRTIO_GPU_F_CONTEXT_INIT, not negotiated",
                    RESP_ERR_INVALID_PARAMETER);
        }
        if (!contexts.contains(h.ctxId())) {
            return checks.refuse(h, "ring fence ctx_id", "context " + Integer.toUnsignedString(h.ctxId())
                    + " does not exist", RESP_ERR_INVALID_CONTEXT_ID);
        }
        return null;
    }

    /** The one place answers are encoded: the header echoes the request's fence, context and ring. */
    private Processed respond(ChainWriter out, CtrlHdr request, Reply reply) {
        CtrlHdr hdr = request == null ? CtrlHdr.of(reply.type()) : request.responseHeader(reply.type());
        Response response = reply.body().apply(hdr);
        if (response.encodedSize() > out.remaining()) {
            // Sizes are checked before a command runs; only a bug gets here. Answer what fits.
            log.host("response size", CtrlType.name(reply.type()) + " needs " + response.encodedSize()
                    + " bytes, chain has " + out.remaining(), null);
            response = new RespNoData(request == null ? CtrlHdr.of(RESP_ERR_UNSPEC)
                    : request.responseHeader(RESP_ERR_UNSPEC));
        }
        ByteBuffer bytes = ByteBuffer.allocate(response.encodedSize()).order(ByteOrder.LITTLE_ENDIAN);
        response.encode(bytes);
        out.write(bytes.flip());
        return new Processed(out.written());
    }
}
