package dev.neep.vhostuser.frontend;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

import dev.neep.vhostuser.protocol.MessageHeader;
import dev.neep.vhostuser.protocol.MmapRequest;
import dev.neep.vhostuser.protocol.ProtocolFeatures;
import dev.neep.vhostuser.protocol.ShmemConfig;
import dev.neep.vhostuser.protocol.VhostUserRequest;
import dev.neep.vhostuser.sys.Fd;
import dev.neep.vhostuser.sys.Mapping;
import dev.neep.vhostuser.sys.Posix;
import dev.neep.vhostuser.sys.UnixSocket;

/**
 * The front end's side of VIRTIO shared memory regions over vhost-user, written from the
 * protocol as a VMM would do it: it asks GET_SHMEM_CONFIG, reserves one window of address
 * space per region (what a VMM would expose to its guest, say as a PCI BAR), gives the
 * back-end a request channel (SET_BACKEND_REQ_FD), and serves BACKEND_SHMEM_MAP by mapping the
 * descriptor that came with it over the window at {@code shm_offset} ({@code MAP_FIXED}), and
 * BACKEND_SHMEM_UNMAP by making that range inaccessible again, answering each with 0 (done) or
 * 1 (refused) when the back-end asks (NEED_REPLY). A test reads and writes the bytes a guest
 * would see through {@link #view}.
 *
 * <p>It refuses what a careful VMM refuses: an unknown shmid, a range outside the region or
 * not page-aligned, one that overlaps a live mapping, an unmap that is not exactly one mapping,
 * a map without exactly one descriptor. The front end must have negotiated BACKEND_REQ,
 * REPLY_ACK and, for regions, SHMEM and BACKEND_SEND_FD ({@link FrontEnd#negotiate}).
 */
public final class FrontEndSharedMemory implements AutoCloseable {

    static final long PAGE = 4096;

    /** One mapping as the front end made it. */
    public record Mapped(int shmid, long offset, long length, boolean writable) {
    }

    /** One BACKEND_SHMEM_MAP or _UNMAP request as it came. */
    public record Received(int request, MmapRequest mmap) {
    }

    private final ShmemConfig config;
    private final Mapping[] windows = new Mapping[ShmemConfig.MAX_REGIONS];
    private final UnixSocket channel;
    private final Fd stop;
    private final Thread thread;
    private final Map<Integer, TreeMap<Long, Mapped>> mappings = new TreeMap<>();
    private final List<Received> requests = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong configChanges = new AtomicLong();
    private volatile String failure;

    private FrontEndSharedMemory(ShmemConfig config, UnixSocket channel) throws IOException {
        this.config = config;
        this.channel = channel;
        this.stop = Posix.eventFd("shared memory front end stop");
        this.thread = new Thread(this::serve, "test-front-end-backend-channel");
        this.thread.setDaemon(true);
    }

    /**
     * Asks GET_SHMEM_CONFIG, reserves the regions and gives the back-end its request channel.
     * When the back-end did not offer SHMEM (its device wants no region) there is nothing to
     * ask: no region, and the channel all the same.
     */
    public static FrontEndSharedMemory attach(FrontEnd frontEnd) throws IOException {
        ShmemConfig config = ProtocolFeatures.has(frontEnd.protocolFeatures(), ProtocolFeatures.SHMEM)
                ? ShmemConfig.decode(frontEnd.call(VhostUserRequest.GET_SHMEM_CONFIG, FrontEnd.none()).payload())
                : ShmemConfig.of(new long[ShmemConfig.MAX_REGIONS]);
        Fd[] pair = Posix.socketPair("back-end request channel");
        FrontEndSharedMemory shm = new FrontEndSharedMemory(config, new UnixSocket(pair[0],
                "front end's back-end request channel"));
        try {
            for (int id = 0; id < ShmemConfig.MAX_REGIONS; id++) {
                if (config.size(id) != 0) {
                    shm.windows[id] = Posix.reserve(config.size(id));
                    shm.mappings.put(id, new TreeMap<>());
                }
            }
            if (frontEnd.acked(VhostUserRequest.SET_BACKEND_REQ_FD, FrontEnd.none(), pair[1]) != 0) {
                throw new IOException("SET_BACKEND_REQ_FD refused");
            }
        } catch (IOException | RuntimeException e) {
            shm.close();
            throw e;
        } finally {
            pair[1].close();
        }
        shm.thread.start();
        return shm;
    }

    /** What GET_SHMEM_CONFIG answered. */
    public ShmemConfig config() {
        return config;
    }

    /** Every MAP and UNMAP request received, in order, refused ones included. */
    public List<Received> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** The live mappings of region {@code shmid}, by offset. */
    public synchronized List<Mapped> mappings(int shmid) {
        TreeMap<Long, Mapped> m = mappings.get(shmid);
        return m == null ? List.of() : List.copyOf(m.values());
    }

    /** How many BACKEND_CONFIG_CHANGE_MSG came. */
    public long configChanges() {
        return configChanges.get();
    }

    /** Why the channel thread stopped early, or null. */
    public String failure() {
        return failure;
    }

    /**
     * The guest-visible bytes {@code [offset, offset + length)} of region {@code shmid}: a
     * little-endian view of the window. The range must lie inside one live mapping (anywhere
     * else the window is inaccessible, and touching it would kill the process); the view is
     * valid until that mapping is unmapped.
     */
    public synchronized ByteBuffer view(int shmid, long offset, int length) {
        TreeMap<Long, Mapped> m = mappings.get(shmid);
        Map.Entry<Long, Mapped> e = m == null ? null : m.floorEntry(offset);
        if (e == null || offset + length > e.getKey() + e.getValue().length()) {
            throw new IllegalArgumentException("region " + shmid + ": nothing mapped at 0x" + Long.toHexString(offset)
                    + "+" + length);
        }
        return windows[shmid].pieces(offset, length, length).get(0).order(ByteOrder.LITTLE_ENDIAN);
    }

    // ---- the back-end request channel ----------------------------------------------

    private void serve() {
        ByteBuffer header = ByteBuffer.allocateDirect(MessageHeader.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer payload = ByteBuffer.allocateDirect(4096).order(ByteOrder.LITTLE_ENDIAN);
        try {
            while (Posix.pollIn(-1, stop, channel.fd()) == 1) {
                List<Fd> fds = new ArrayList<>();
                try {
                    header.clear();
                    if (!channel.receiveFully(header, fds)) {
                        return;
                    }
                    MessageHeader h = MessageHeader.decode(header.flip());
                    if (h.size() < 0 || h.size() > payload.capacity()) {
                        throw new IOException("back-end request of " + h.size() + " bytes");
                    }
                    payload.clear().limit(h.size());
                    channel.receiveFully(payload, fds);
                    long status = handle(h, payload.flip(), fds);
                    if (h.needsReply()) {
                        reply(h.request(), status);
                    }
                } finally {
                    fds.forEach(Fd::close);
                }
            }
        } catch (IOException | RuntimeException e) {
            failure = e.toString();
        }
    }

    private long handle(MessageHeader h, ByteBuffer p, List<Fd> fds) throws IOException {
        switch (h.request()) {
            case VhostUserRequest.BACKEND_CONFIG_CHANGE_MSG:
                configChanges.incrementAndGet();
                return 0;
            case VhostUserRequest.BACKEND_SHMEM_MAP:
            case VhostUserRequest.BACKEND_SHMEM_UNMAP:
                if (p.remaining() != MmapRequest.SIZE) {
                    return 1;
                }
                MmapRequest r = MmapRequest.decode(p);
                requests.add(new Received(h.request(), r));
                return h.request() == VhostUserRequest.BACKEND_SHMEM_MAP ? (fds.size() == 1 ? map(r, fds.get(0)) : 1)
                        : (fds.isEmpty() ? unmap(r) : 1);
            default:
                return 1;
        }
    }

    private synchronized long map(MmapRequest r, Fd fd) {
        TreeMap<Long, Mapped> m = mappings.get(r.shmid());
        if (m == null || r.shmOffset() % PAGE != 0 || r.fdOffset() % PAGE != 0 || r.length() <= 0) {
            return 1;
        }
        long pages = (r.length() + PAGE - 1) & -PAGE;
        if (pages < r.length() || r.shmOffset() < 0 || r.shmOffset() > config.size(r.shmid()) - pages) {
            return 1;
        }
        Map.Entry<Long, Mapped> before = m.floorEntry(r.shmOffset() + pages - 1);
        if (before != null && before.getKey() + ((before.getValue().length() + PAGE - 1) & -PAGE) > r.shmOffset()) {
            return 1;
        }
        try {
            windows[r.shmid()].mapFixed(r.shmOffset(), fd, r.fdOffset(), pages, r.writable());
        } catch (IOException e) {
            // not a mappable file: refused, and the window is as it was
            return 1;
        }
        m.put(r.shmOffset(), new Mapped(r.shmid(), r.shmOffset(), r.length(), r.writable()));
        return 0;
    }

    private synchronized long unmap(MmapRequest r) throws IOException {
        TreeMap<Long, Mapped> m = mappings.get(r.shmid());
        Mapped mapped = m == null ? null : m.get(r.shmOffset());
        if (mapped == null || mapped.length() != r.length()) {
            return 1;
        }
        windows[r.shmid()].clear(r.shmOffset(), (r.length() + PAGE - 1) & -PAGE);
        m.remove(r.shmOffset());
        return 0;
    }

    private void reply(int request, long status) throws IOException {
        ByteBuffer b = ByteBuffer.allocateDirect(MessageHeader.SIZE + 8).order(ByteOrder.LITTLE_ENDIAN);
        new MessageHeader(request, MessageHeader.VERSION | MessageHeader.REPLY, 8).encode(b);
        channel.send(b.putLong(status).flip());
    }

    /** Stops serving the channel, closes it, and unmaps every window (views die with them). */
    @Override
    public void close() {
        try {
            Posix.signal(stop);
        } catch (IOException e) {
            channel.shutdown();
        }
        if (thread.isAlive()) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        channel.close();
        stop.close();
        synchronized (this) {
            for (int id = 0; id < windows.length; id++) {
                if (windows[id] != null) {
                    windows[id].close();
                    windows[id] = null;
                }
            }
            mappings.clear();
        }
    }
}
