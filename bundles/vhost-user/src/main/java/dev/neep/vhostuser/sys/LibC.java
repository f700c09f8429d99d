package dev.neep.vhostuser.sys;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Pointer;

/**
 * The raw glibc calls the vhost-user transport needs, named and typed as in the C headers
 * (x86_64 Linux: {@code size_t}/{@code ssize_t}/{@code off_t} are 64-bit, so {@code long}).
 * Every call that reports failure through {@code errno} throws {@link LastErrorException}.
 * Only {@link Posix} uses this interface.
 */
interface LibC extends Library {

    int AF_UNIX = 1;
    int SOCK_STREAM = 1;
    int SOCK_CLOEXEC = 0x80000;
    int SOL_SOCKET = 1;
    int SCM_RIGHTS = 1;
    int MSG_CTRUNC = 0x8;
    int MSG_NOSIGNAL = 0x4000;
    int MSG_CMSG_CLOEXEC = 0x40000000;
    int SHUT_RDWR = 2;

    int PROT_READ = 1;
    int PROT_WRITE = 2;
    int PROT_NONE = 0;
    int MAP_SHARED = 1;
    int MAP_PRIVATE = 2;
    int MAP_FIXED = 0x10;
    int MAP_ANONYMOUS = 0x20;
    int MAP_NORESERVE = 0x4000;

    int EFD_CLOEXEC = 0x80000;
    int EFD_NONBLOCK = 0x800;

    int EPOLL_CLOEXEC = 0x80000;
    int EPOLL_CTL_ADD = 1;
    int EPOLL_CTL_DEL = 2;
    int EPOLLIN = 0x1;

    int POLLIN = 0x1;

    int F_GETFL = 3;
    int F_SETFL = 4;
    int F_DUPFD_CLOEXEC = 1030;
    int O_NONBLOCK = 0x800;

    int MFD_CLOEXEC = 1;

    int S_IFMT = 0xf000;
    int S_IFREG = 0x8000;

    int EINTR = 4;
    int EAGAIN = 11;

    int socket(int domain, int type, int protocol) throws LastErrorException;

    int socketpair(int domain, int type, int protocol, int[] sv) throws LastErrorException;

    int bind(int sockfd, Pointer addr, int addrlen) throws LastErrorException;

    int listen(int sockfd, int backlog) throws LastErrorException;

    int accept4(int sockfd, Pointer addr, Pointer addrlen, int flags) throws LastErrorException;

    int connect(int sockfd, Pointer addr, int addrlen) throws LastErrorException;

    long recvmsg(int sockfd, Pointer msg, int flags) throws LastErrorException;

    long sendmsg(int sockfd, Pointer msg, int flags) throws LastErrorException;

    int shutdown(int sockfd, int how) throws LastErrorException;

    long read(int fd, Pointer buf, long count) throws LastErrorException;

    long write(int fd, Pointer buf, long count) throws LastErrorException;

    int close(int fd) throws LastErrorException;

    int fcntl(int fd, int cmd, Object... arg) throws LastErrorException;

    int fstat(int fd, Pointer statbuf) throws LastErrorException;

    Pointer mmap(Pointer addr, long length, int prot, int flags, int fd, long offset) throws LastErrorException;

    int munmap(Pointer addr, long length) throws LastErrorException;

    int eventfd(int initval, int flags) throws LastErrorException;

    int epoll_create1(int flags) throws LastErrorException;

    int epoll_ctl(int epfd, int op, int fd, Pointer event) throws LastErrorException;

    int epoll_wait(int epfd, Pointer events, int maxevents, int timeout) throws LastErrorException;

    int poll(Pointer fds, long nfds, int timeout) throws LastErrorException;

    int memfd_create(String name, int flags) throws LastErrorException;

    int ftruncate(int fd, long length) throws LastErrorException;
}
