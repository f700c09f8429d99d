package dev.neep.vhostuser.sys;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * The glibc calls made for every command and every display update (eventfd kicks, calls and
 * wake-ups, epoll and poll, the sockets' messages), bound by JNA's direct mapping: a static
 * native method costs about a third of a call through {@link LibC}'s proxy (measured 0.5 against
 * 1.5 to 2 microseconds on a loaded machine), which adds up at tens of thousands of calls a
 * second. Named and typed as in the C headers, as {@link LibC} is; used only after {@link Posix#c()}
 * found the native access to work.
 */
final class HotCalls {

    static {
        Native.register(NativeLibrary.getInstance("c"));
    }

    private HotCalls() {
    }

    static native long read(int fd, Pointer buf, long count) throws LastErrorException;

    static native long write(int fd, Pointer buf, long count) throws LastErrorException;

    static native long recvmsg(int sockfd, Pointer msg, int flags) throws LastErrorException;

    static native long sendmsg(int sockfd, Pointer msg, int flags) throws LastErrorException;

    static native int epoll_wait(int epfd, Pointer events, int maxevents, int timeout) throws LastErrorException;

    static native int poll(Pointer fds, long nfds, int timeout) throws LastErrorException;
}
