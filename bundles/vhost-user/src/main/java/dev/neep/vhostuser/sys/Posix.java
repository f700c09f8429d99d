package dev.neep.vhostuser.sys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one gateway to native code: AF_UNIX sockets, shared mappings, eventfds, epoll and
 * poll, through JNA. Loading is tried once; when it fails (no JNA dispatch library, not
 * Linux on x86_64, whose struct layouts this class writes by hand) every entry point
 * throws {@link NativeUnavailableException} with the reason, and {@link #unavailableReason()}
 * says it without throwing.
 *
 * <p>Structures are laid out by offset in JNA {@link Memory}, as the x86_64 Linux ABI
 * has them ({@code struct msghdr} 56 bytes, {@code struct cmsghdr} 16-byte header with
 * 8-byte alignment, the packed 12-byte {@code struct epoll_event}, {@code struct stat}
 * 144 bytes): the few fields used are named constants, checked by the unit tests against
 * the kernel's behaviour rather than against a header.
 */
public final class Posix {

    private static final Logger LOG = LoggerFactory.getLogger(Posix.class);

    static final int SIZEOF_MSGHDR = 56;
    static final int MSGHDR_NAME = 0;
    static final int MSGHDR_NAMELEN = 8;
    static final int MSGHDR_IOV = 16;
    static final int MSGHDR_IOVLEN = 24;
    static final int MSGHDR_CONTROL = 32;
    static final int MSGHDR_CONTROLLEN = 40;
    static final int MSGHDR_FLAGS = 48;
    static final int SIZEOF_IOVEC = 16;
    static final int CMSG_HDR = 16;
    static final int CMSG_LEVEL = 8;
    static final int CMSG_TYPE = 12;
    static final int SIZEOF_SOCKADDR_UN = 110;
    static final int SUN_PATH_MAX = 107;
    static final int SIZEOF_EPOLL_EVENT = 12;
    static final int EPOLL_EVENT_DATA = 4;
    static final int SIZEOF_POLLFD = 8;
    static final int SIZEOF_STAT = 144;
    static final int STAT_MODE = 24;
    static final int STAT_SIZE = 48;

    private static final LibC C;
    private static final String UNAVAILABLE;

    static {
        LibC c = null;
        String why = null;
        if (!"linux-x86-64".equals(Platform.RESOURCE_PREFIX)) {
            why = "needs Linux on x86_64, this is " + Platform.RESOURCE_PREFIX;
        } else {
            try {
                c = Native.load("c", LibC.class);
            } catch (LinkageError | RuntimeException e) {
                why = "cannot load libc through JNA: " + e;
            }
        }
        C = c;
        UNAVAILABLE = why;
    }

    private Posix() {
    }

    /** Null when native access works, otherwise why it does not. */
    public static String unavailableReason() {
        return UNAVAILABLE;
    }

    static LibC c() throws NativeUnavailableException {
        if (C == null) {
            throw new NativeUnavailableException(UNAVAILABLE);
        }
        return C;
    }

    static NativeException failure(String call, LastErrorException e) {
        return new NativeException(call, e.getErrorCode(), e.getMessage());
    }

    static long cmsgAlign(long len) {
        return (len + 7) & ~7L;
    }

    /** {@code CMSG_SPACE(n * sizeof(int))}: room for a control message with {@code n} descriptors. */
    static int cmsgSpace(int fds) {
        return (int) cmsgAlign(CMSG_HDR + 4L * fds);
    }

    // ---- sockets -------------------------------------------------------------------

    /**
     * A listening AF_UNIX stream socket bound to {@code path}. A socket file left at
     * {@code path} by an earlier run is replaced; any other file there is an error.
     */
    public static Fd listenUnix(Path path, int backlog) throws IOException {
        Memory addr = sockaddr(path);
        int fd = socket();
        Fd owned = Fd.adopt(fd, "listening socket " + path);
        try {
            java.nio.file.Files.deleteIfExists(requireSocketOrAbsent(path));
            c().bind(fd, addr, (int) addr.size());
            c().listen(fd, backlog);
            return owned;
        } catch (LastErrorException e) {
            owned.close();
            throw failure("bind/listen " + path, e);
        } catch (IOException | RuntimeException e) {
            owned.close();
            throw e;
        }
    }

    private static Path requireSocketOrAbsent(Path path) throws IOException {
        if (java.nio.file.Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                && !java.nio.file.Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class,
                        java.nio.file.LinkOption.NOFOLLOW_LINKS).isOther()) {
            throw new IOException(path + " exists and is not a socket; not replacing it");
        }
        return path;
    }

    /** Connects to the AF_UNIX stream socket at {@code path}. */
    public static Fd connectUnix(Path path) throws IOException {
        Memory addr = sockaddr(path);
        Fd owned = Fd.adopt(socket(), "socket to " + path);
        try {
            c().connect(owned.acquire(), addr, (int) addr.size());
            return owned;
        } catch (LastErrorException e) {
            owned.close();
            throw failure("connect " + path, e);
        } finally {
            owned.release();
        }
    }

    private static int socket() throws IOException {
        try {
            return c().socket(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw failure("socket", e);
        }
    }

    private static Memory sockaddr(Path path) {
        byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
        if (name.length == 0 || name.length > SUN_PATH_MAX) {
            throw new IllegalArgumentException("unix socket path must be 1.." + SUN_PATH_MAX
                    + " bytes: " + path);
        }
        Memory addr = new Memory(SIZEOF_SOCKADDR_UN);
        addr.clear();
        addr.setShort(0, (short) LibC.AF_UNIX);
        addr.write(2, name, 0, name.length);
        return addr;
    }

    /** A connected pair of AF_UNIX stream sockets. */
    public static Fd[] socketPair(String what) throws IOException {
        int[] sv = new int[2];
        try {
            c().socketpair(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0, sv);
        } catch (LastErrorException e) {
            throw failure("socketpair", e);
        }
        return new Fd[] {Fd.adopt(sv[0], what + " (end 0)"), Fd.adopt(sv[1], what + " (end 1)")};
    }

    /** Accepts one connection (blocking); the new socket is close-on-exec. */
    public static Fd accept(Fd listener) throws IOException {
        int lfd = listener.acquire();
        try {
            while (true) {
                try {
                    return Fd.adopt(c().accept4(lfd, null, null, LibC.SOCK_CLOEXEC), "front-end connection");
                } catch (LastErrorException e) {
                    if (e.getErrorCode() != LibC.EINTR) {
                        throw failure("accept4", e);
                    }
                }
            }
        } finally {
            listener.release();
        }
    }

    static void shutdownQuietly(int fd) {
        if (C != null) {
            try {
                C.shutdown(fd, LibC.SHUT_RDWR);
            } catch (LastErrorException e) {
                // ENOTCONN / ENOTSOCK: nothing is blocked on it then.
                LOG.trace("shutdown({}): {}", fd, e.getMessage());
            }
        }
    }

    static void closeQuietly(int fd, String what) {
        if (C != null) {
            try {
                C.close(fd);
            } catch (LastErrorException e) {
                // close(2) releases the descriptor even when it reports an error.
                LOG.debug("close {} (fd {}): {}", what, fd, e.getMessage());
            }
        }
    }

    // ---- files and mappings --------------------------------------------------------

    /** {@code st_mode} and {@code st_size} of an open descriptor. */
    public record FileStat(int mode, long size) {
        public boolean isRegularFile() {
            return (mode & LibC.S_IFMT) == LibC.S_IFREG;
        }
    }

    public static FileStat fstat(Fd fd) throws IOException {
        Memory st = new Memory(SIZEOF_STAT);
        try {
            c().fstat(fd.acquire(), st);
            return new FileStat(st.getInt(STAT_MODE), st.getLong(STAT_SIZE));
        } catch (LastErrorException e) {
            throw failure("fstat " + fd.what(), e);
        } finally {
            fd.release();
        }
    }

    /** Maps {@code length} bytes of {@code fd} from offset 0, shared, read-write. */
    public static Mapping mapShared(Fd fd, long length) throws IOException {
        if (length <= 0) {
            throw new IllegalArgumentException("mapping length " + length);
        }
        try {
            Pointer p = c().mmap(null, length, LibC.PROT_READ | LibC.PROT_WRITE,
                    LibC.MAP_SHARED | LibC.MAP_NORESERVE, fd.acquire(), 0);
            return new Mapping(p, length);
        } catch (LastErrorException e) {
            throw failure("mmap " + fd.what() + " length " + length, e);
        } finally {
            fd.release();
        }
    }

    /**
     * {@code length} bytes of address space, reserved and inaccessible ({@code PROT_NONE},
     * private, anonymous): a window into which {@link Mapping#mapFixed} maps ranges of files
     * at fixed offsets, as a VMM lays out a shared memory region.
     */
    public static Mapping reserve(long length) throws IOException {
        if (length <= 0) {
            throw new IllegalArgumentException("reservation length " + length);
        }
        try {
            Pointer p = c().mmap(null, length, LibC.PROT_NONE,
                    LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_NORESERVE, -1, 0);
            return new Mapping(p, length);
        } catch (LastErrorException e) {
            throw failure("mmap reservation of " + length + " bytes", e);
        }
    }

    static void mmapFixed(Pointer at, long length, int prot, int flags, int fd, long offset, String what)
            throws IOException {
        try {
            c().mmap(at, length, prot, flags | LibC.MAP_FIXED, fd, offset);
        } catch (LastErrorException e) {
            throw failure("mmap " + what, e);
        }
    }

    static void munmap(Pointer address, long length) {
        try {
            c().munmap(address, length);
        } catch (LastErrorException | NativeUnavailableException e) {
            // Only a wrong address or length fails, which would be a bug here: say so.
            LOG.error("munmap {} length {} failed: {}", address, length, e.getMessage());
        }
    }

    /** An anonymous shared-memory file of {@code size} bytes (a front end's guest RAM). */
    public static Fd memfd(String name, long size) throws IOException {
        Fd fd;
        try {
            fd = Fd.adopt(c().memfd_create(name, LibC.MFD_CLOEXEC), "memfd " + name);
        } catch (LastErrorException e) {
            throw failure("memfd_create", e);
        }
        try {
            c().ftruncate(fd.acquire(), size);
            return fd;
        } catch (LastErrorException e) {
            fd.close();
            throw failure("ftruncate memfd " + name, e);
        } finally {
            fd.release();
        }
    }

    // ---- eventfd -------------------------------------------------------------------

    private static final ThreadLocal<Memory> WORD = ThreadLocal.withInitial(() -> new Memory(8));

    /** A new non-blocking eventfd with counter 0. */
    public static Fd eventFd(String what) throws IOException {
        try {
            return Fd.adopt(c().eventfd(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK), what);
        } catch (LastErrorException e) {
            throw failure("eventfd", e);
        }
    }

    /** Adds 1 to an eventfd's counter: a kick, a call or a wake-up. */
    public static void signal(Fd eventFd) throws IOException {
        Memory one = WORD.get();
        one.setLong(0, 1);
        int fd = eventFd.acquire();
        try {
            while (true) {
                try {
                    c().write(fd, one, 8);
                    return;
                } catch (LastErrorException e) {
                    if (e.getErrorCode() == LibC.EAGAIN) {
                        return; // counter at its maximum: the other side has a signal pending anyway
                    }
                    if (e.getErrorCode() != LibC.EINTR) {
                        throw failure("write " + eventFd.what(), e);
                    }
                }
            }
        } finally {
            eventFd.release();
        }
    }

    /**
     * Reads and resets an eventfd's counter without blocking (the descriptor must be
     * non-blocking, see {@link #setNonBlocking}). Returns the counter, 0 when it was 0.
     */
    public static long drain(Fd eventFd) throws IOException {
        Memory word = WORD.get();
        int fd = eventFd.acquire();
        try {
            while (true) {
                try {
                    c().read(fd, word, 8);
                    return word.getLong(0);
                } catch (LastErrorException e) {
                    if (e.getErrorCode() == LibC.EAGAIN) {
                        return 0;
                    }
                    if (e.getErrorCode() != LibC.EINTR) {
                        throw failure("read " + eventFd.what(), e);
                    }
                }
            }
        } finally {
            eventFd.release();
        }
    }

    /**
     * A descriptor of this process that a caller only lends ({@code fd} stays the caller's),
     * duplicated close-on-exec, so that it is owned here and can be closed here.
     */
    public static Fd dup(int fd, String what) throws IOException {
        try {
            return Fd.adopt(c().fcntl(fd, LibC.F_DUPFD_CLOEXEC, 0), what);
        } catch (LastErrorException e) {
            throw failure("fcntl F_DUPFD_CLOEXEC " + fd + " (" + what + ")", e);
        }
    }

    /** Sets O_NONBLOCK on a descriptor received from a peer, so that a stale wake-up cannot block a reader. */
    public static void setNonBlocking(Fd fd) throws IOException {
        int n = fd.acquire();
        try {
            int flags = c().fcntl(n, LibC.F_GETFL);
            if ((flags & LibC.O_NONBLOCK) == 0) {
                c().fcntl(n, LibC.F_SETFL, flags | LibC.O_NONBLOCK);
            }
        } catch (LastErrorException e) {
            throw failure("fcntl O_NONBLOCK " + fd.what(), e);
        } finally {
            fd.release();
        }
    }

    // ---- poll ----------------------------------------------------------------------

    /**
     * Waits until one of {@code fds} is readable (or hung up), at most {@code timeoutMs}
     * (negative: no limit). Returns the index of the first ready descriptor, or -1 on timeout.
     */
    public static int pollIn(int timeoutMs, Fd... fds) throws IOException {
        Memory pfds = new Memory((long) SIZEOF_POLLFD * fds.length);
        int acquired = 0;
        try {
            for (Fd fd : fds) {
                int n = fd.acquire();
                acquired++;
                pfds.setInt((long) (acquired - 1) * SIZEOF_POLLFD, n);
                pfds.setShort((long) (acquired - 1) * SIZEOF_POLLFD + 4, (short) LibC.POLLIN);
                pfds.setShort((long) (acquired - 1) * SIZEOF_POLLFD + 6, (short) 0);
            }
            long deadline = timeoutMs < 0 ? 0 : System.nanoTime() + timeoutMs * 1_000_000L;
            while (true) {
                int wait = timeoutMs < 0 ? -1
                        : (int) Math.max(0, (deadline - System.nanoTime()) / 1_000_000L);
                int ready;
                try {
                    ready = c().poll(pfds, fds.length, wait);
                } catch (LastErrorException e) {
                    if (e.getErrorCode() == LibC.EINTR) {
                        continue;
                    }
                    throw failure("poll", e);
                }
                if (ready == 0) {
                    return -1;
                }
                for (int i = 0; i < fds.length; i++) {
                    if (pfds.getShort((long) i * SIZEOF_POLLFD + 6) != 0) {
                        return i;
                    }
                }
            }
        } finally {
            for (int i = 0; i < acquired; i++) {
                fds[i].release();
            }
        }
    }
}
