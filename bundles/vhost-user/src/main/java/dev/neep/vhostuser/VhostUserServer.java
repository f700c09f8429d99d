package dev.neep.vhostuser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.neep.vhostuser.internal.FrontEndSession;
import dev.neep.vhostuser.sys.Fd;
import dev.neep.vhostuser.sys.NativeException;
import dev.neep.vhostuser.sys.Posix;
import dev.neep.virtio.VirtioDevice;

/**
 * A vhost-user back-end serving any {@link VirtioDevice} on a unix socket, to one front end
 * at a time: a second front end waits in the listen backlog until the first is gone. What
 * the device type adds to the protocol comes from a {@link DeviceExtension}
 * ({@link DeviceExtension#NONE} for none).
 * When a front end disconnects, for any reason, the device is reset and everything the
 * connection held is released; the server then accepts the next one.
 *
 * <p>The socket is either a path this server binds (like QEMU back-ends'
 * {@code --socket-path}) or a listening socket inherited as a descriptor ({@code --fd}).
 */
public final class VhostUserServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(VhostUserServer.class);
    private static final int BACKLOG = 4;
    private static final int EBADF = 9;
    private static final int EINVAL = 22;
    private static final int ENOTSOCK = 88;

    private final VirtioDevice device;
    private final DeviceExtension extension;
    private final Fd listener;
    private final Path boundPath;
    private final Fd wake;
    private final Thread thread;
    private volatile boolean closing;
    private FrontEndSession current;

    private VhostUserServer(VirtioDevice device, DeviceExtension extension, Fd listener, Path boundPath)
            throws IOException {
        this.device = device;
        this.extension = extension;
        this.listener = listener;
        this.boundPath = boundPath;
        try {
            this.wake = Posix.eventFd("server wake-up");
        } catch (IOException e) {
            listener.close();
            throw e;
        }
        this.thread = new Thread(this::acceptLoop, "neep-vhost-user-server");
        this.thread.setDaemon(true);
    }

    /** Binds and listens on {@code socketPath} (a stale socket file there is replaced). */
    public static VhostUserServer listen(Path socketPath, VirtioDevice device, DeviceExtension extension)
            throws IOException {
        Path path = socketPath.toAbsolutePath();
        return new VhostUserServer(device, extension, Posix.listenUnix(path, BACKLOG), path);
    }

    /** Serves on an inherited socket that is already bound and listening. */
    public static VhostUserServer inherit(int listeningFd, VirtioDevice device, DeviceExtension extension)
            throws IOException {
        if (Posix.unavailableReason() != null) {
            throw new IOException("vhost-user native access not available: " + Posix.unavailableReason());
        }
        return new VhostUserServer(device, extension, Fd.adopt(listeningFd, "inherited listening socket"), null);
    }

    /** Starts accepting front ends on a thread of the server. */
    public VhostUserServer start() {
        thread.start();
        LOG.info("vhost-user back-end for virtio device {} listening on {}", device.deviceId(),
                boundPath != null ? boundPath : listener);
        return this;
    }

    private void acceptLoop() {
        while (!closing) {
            Fd connection;
            try {
                if (Posix.pollIn(-1, listener, wake) != 0) {
                    continue; // woken to close
                }
                connection = Posix.accept(listener);
            } catch (NativeException e) {
                if (closing) {
                    return;
                }
                if (e.errno() == EBADF || e.errno() == EINVAL || e.errno() == ENOTSOCK) {
                    LOG.error("cannot accept front ends on {}: {}", listener, e.getMessage());
                    return;
                }
                LOG.warn("accepting a front end failed: {}", e.getMessage());
                pause();
                continue;
            } catch (IOException e) {
                if (!closing) {
                    LOG.error("cannot accept front ends on {}: {}", listener, e.getMessage());
                }
                return;
            }
            serve(connection);
        }
    }

    private void serve(Fd connection) {
        FrontEndSession session;
        try {
            session = new FrontEndSession(device, connection, extension);
        } catch (IOException | RuntimeException e) {
            LOG.error("cannot serve a front end: {}", e.toString());
            connection.close();
            return;
        }
        synchronized (this) {
            if (closing) {
                session.abort();
            }
            current = session;
        }
        LOG.info("front end connected");
        try {
            session.run();
        } catch (RuntimeException e) {
            // A bug, but the next front end still deserves a server.
            LOG.error("the session with a front end failed", e);
        }
        synchronized (this) {
            current = null;
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Disconnects the front end (resetting the device), stops listening and removes the socket file. */
    @Override
    public void close() {
        FrontEndSession session;
        synchronized (this) {
            if (closing) {
                return;
            }
            closing = true;
            session = current;
        }
        if (session != null) {
            session.abort();
        }
        try {
            Posix.signal(wake);
        } catch (IOException e) {
            LOG.error("cannot wake the accept loop", e);
        }
        if (thread.isAlive() && Thread.currentThread() != thread) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        listener.close();
        wake.close();
        if (boundPath != null) {
            try {
                Files.deleteIfExists(boundPath);
            } catch (IOException e) {
                LOG.warn("cannot remove {}: {}", boundPath, e.getMessage());
            }
        }
    }
}
