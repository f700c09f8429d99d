package dev.neep.testkit.crossdomain;

import dev.neep.gpu.protocol.Blobs;
import dev.neep.gpu.protocol.CapsetIds;
import dev.neep.gpu.protocol.CtrlHdr;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.testkit.Backing;
import dev.neep.testkit.GpuCommandException;
import dev.neep.testkit.GpuDriver;
import dev.neep.testkit.PendingCommand;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Predicate;

/**
 * A guest's Wayland proxy, in Java, over a {@link GpuDriver}: what a guest's cross-domain
 * client (crosvm's sommelier, Mesa's) does through virtio-gpu. {@link #open} creates a context
 * with {@code context_init} = cross-domain and two rings, guest blobs created outside the context
 * (ctx 0) and then attached to it, as rutabaga wants; {@link #init} connects the channel.
 * Then {@link #send} carries Wayland requests (and blob resources as their file descriptors) in
 * {@code CROSS_DOMAIN_CMD_SEND}, and {@link #receive} asks, with a {@code POLL} fenced on the
 * channel ring, for what the compositor sent, which the host writes to the channel ring as a
 * {@code CROSS_DOMAIN_CMD_RECEIVE} before it signals the fence.
 *
 * <p>Wayland object ids are the client's to allocate ({@link #newObjectId}); 1 is wl_display.
 * Not thread-safe.
 */
public final class CrossDomainClient implements AutoCloseable {

    /** rutabaga sends at most this many bytes in one RECEIVE, header included: one page of ring. */
    public static final int RING_SIZE = 4096;
    public static final int WL_DISPLAY = 1;

    private final GpuDriver gpu;
    private final int ctxId;
    private final int queryRing;
    private final Backing queryBacking;
    private final int channelRing;
    private final Backing channelBacking;
    /** Messages received and not yet handed out. */
    private final Deque<WaylandMessage> backlog = new ArrayDeque<>();
    /** Received bytes not yet a whole Wayland message. */
    private ByteBuffer partial = ByteBuffer.allocate(0);
    private int lastObjectId = WL_DISPLAY;
    private boolean closed;

    private CrossDomainClient(GpuDriver gpu, int ctxId, int queryRing, Backing queryBacking, int channelRing,
            Backing channelBacking) {
        this.gpu = gpu;
        this.ctxId = ctxId;
        this.queryRing = queryRing;
        this.queryBacking = queryBacking;
        this.channelRing = channelRing;
        this.channelBacking = channelBacking;
    }

    /**
     * A cross-domain context with rings of {@code queryRingSize} and {@code channelRingSize}
     * bytes, not yet initialised.
     *
     * @throws GpuCommandException when the device refuses a step
     */
    public static CrossDomainClient open(GpuDriver gpu, int queryRingSize, int channelRingSize) {
        int ctxId = gpu.newContextId();
        ok(gpu.ctxCreate(ctxId, CapsetIds.CROSS_DOMAIN, "neep cross-domain client"), "CTX_CREATE " + ctxId);
        int query = gpu.newResourceId();
        Backing queryBacking = ring(gpu, ctxId, query, queryRingSize);
        int channel = gpu.newResourceId();
        Backing channelBacking = ring(gpu, ctxId, channel, channelRingSize);
        return new CrossDomainClient(gpu, ctxId, query, queryBacking, channel, channelBacking);
    }

    /** {@link #open} with one-page rings, then {@link #init} on the Wayland channel. */
    public static CrossDomainClient connect(GpuDriver gpu) {
        CrossDomainClient client = open(gpu, RING_SIZE, RING_SIZE);
        ok(client.init(CrossDomainCommand.CHANNEL_TYPE_WAYLAND), "CROSS_DOMAIN_CMD_INIT");
        return client;
    }

    private static Backing ring(GpuDriver gpu, int ctxId, int resourceId, int size) {
        Backing backing = gpu.allocateBacking(size);
        ok(gpu.createBlob(0, resourceId, Blobs.BLOB_MEM_GUEST, Blobs.BLOB_FLAG_USE_MAPPABLE, 0, size, backing),
                "RESOURCE_CREATE_BLOB of ring " + resourceId);
        ok(gpu.ctxAttachResource(ctxId, resourceId), "CTX_ATTACH_RESOURCE of ring " + resourceId);
        return backing;
    }

    /** {@code answer} when it is RESP_OK_NODATA; else a {@link GpuCommandException} naming {@code what}. */
    public static CtrlHdr ok(CtrlHdr answer, String what) {
        if (answer.type() != CtrlType.RESP_OK_NODATA) {
            throw new GpuCommandException(what, answer.type(), "answered " + CtrlType.name(answer.type()));
        }
        return answer;
    }

    public int ctxId() {
        return ctxId;
    }

    /** A fresh Wayland object id of this client's. */
    public int newObjectId() {
        return ++lastObjectId;
    }

    /** {@code CROSS_DOMAIN_CMD_INIT} with this client's rings and {@code channelType}; the device's answer. */
    public CtrlHdr init(int channelType) {
        return submit(new CrossDomainCommand.Init(queryRing, channelRing, channelType));
    }

    /** SUBMIT_3D of {@code command}, unfenced; the device's answer. */
    public CtrlHdr submit(CrossDomainCommand command) {
        return submitRaw(command.encode());
    }

    /** SUBMIT_3D of arbitrary bytes in this context, for tests of what the host does with malformed commands. */
    public CtrlHdr submitRaw(ByteBuffer commands) {
        return gpu.submit3d(ctxId, commands);
    }

    /**
     * {@code GET_IMAGE_REQUIREMENTS} fenced on the query ring, then the answer the host wrote there.
     *
     * @throws GpuCommandException when the device refuses it
     */
    public ImageRequirements imageRequirements(int width, int height, int drmFormat, int flags) {
        PendingCommand command = gpu.submit3dFenced(ctxId, CrossDomainCommand.QUERY_RING,
                new CrossDomainCommand.GetImageRequirements(width, height, drmFormat, flags).encode());
        ok(command.await().hdr(), "CROSS_DOMAIN_CMD_GET_IMAGE_REQUIREMENTS");
        ByteBuffer answer = ByteBuffer.allocate(ImageRequirements.SIZE);
        queryBacking.read(0, answer);
        return ImageRequirements.decode(answer.flip());
    }

    /**
     * {@code CROSS_DOMAIN_CMD_SEND} of {@code requests}, with blob resources {@code blobResourceIds}
     * (attached to this context) as the file descriptors of the first request that takes one.
     */
    public CtrlHdr send(List<WaylandMessage> requests, int... blobResourceIds) {
        return submit(CrossDomainSendReceive.send(WaylandMessage.encodeAll(requests), blobResourceIds));
    }

    /**
     * One {@code POLL} fenced on the channel ring, waiting at most the driver's timeout for the
     * host to have something: the whole Wayland messages that completes (not those of the
     * backlog {@link #receiveUntil} keeps).
     *
     * @throws GpuCommandException when the device refuses the poll or the ring holds no RECEIVE
     */
    public List<WaylandMessage> receive() {
        PendingCommand poll = gpu.submit3dFenced(ctxId, CrossDomainCommand.CHANNEL_RING,
                new CrossDomainCommand.Poll().encode());
        ok(poll.await().hdr(), "CROSS_DOMAIN_CMD_POLL");
        ByteBuffer ring = ByteBuffer.allocate((int) Math.min(RING_SIZE, channelBacking.length()));
        channelBacking.read(0, ring);
        CrossDomainSendReceive received = CrossDomainSendReceive.decode(ring.flip());
        if (received.cmd() != CrossDomainCommand.CMD_RECEIVE) {
            throw new GpuCommandException("CROSS_DOMAIN_CMD_POLL", CtrlType.RESP_OK_NODATA, "the channel ring holds"
                    + " command " + received.cmd() + ", not a RECEIVE");
        }
        ByteBuffer stream = ByteBuffer.allocate(partial.remaining() + received.data().length);
        stream.put(partial).put(received.data()).flip();
        List<WaylandMessage> messages = WaylandMessage.decodeAll(stream);
        partial = stream.slice();
        return messages;
    }

    /**
     * Messages, those received earlier and not yet handed out first, up to and including the
     * first that {@code last} accepts, polling at most {@code maxPolls} times; what came after
     * it waits for the next call.
     *
     * @throws GpuCommandException when none comes within {@code maxPolls} polls
     */
    public List<WaylandMessage> receiveUntil(Predicate<WaylandMessage> last, int maxPolls) {
        List<WaylandMessage> received = new ArrayList<>();
        for (int poll = 0; ; poll++) {
            while (!backlog.isEmpty()) {
                WaylandMessage m = backlog.removeFirst();
                received.add(m);
                if (last.test(m)) {
                    return received;
                }
            }
            if (poll == maxPolls) {
                throw new GpuCommandException("CROSS_DOMAIN_CMD_POLL", CtrlType.RESP_OK_NODATA, "the message waited"
                        + " for did not come in " + maxPolls + " polls; received " + received);
            }
            backlog.addAll(receive());
        }
    }

    /**
     * {@code wl_display.sync} sent after {@code requests}, then everything received up to its
     * {@code wl_callback.done}, polling at most {@code maxPolls} times.
     */
    public List<WaylandMessage> roundtrip(List<WaylandMessage> requests, int maxPolls) {
        int callback = newObjectId();
        List<WaylandMessage> all = new ArrayList<>(requests);
        all.add(WaylandMessage.request(WL_DISPLAY, 0, new WaylandMessage.Args().word(callback)));
        ok(send(all), "CROSS_DOMAIN_CMD_SEND of " + all.size() + " Wayland requests");
        return receiveUntil(m -> m.objectId() == callback && m.opcode() == 0, maxPolls);
    }

    /**
     * Destroys the context (which ends the channel and any poll still waiting), then drops the
     * rings; the device's answers are not checked, so a test can close after a failure.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        gpu.ctxDestroy(ctxId);
        gpu.resourceUnref(queryRing);
        gpu.resourceUnref(channelRing);
        queryBacking.release();
        channelBacking.release();
    }
}
