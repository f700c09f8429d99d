package dev.neep.vhostuser.sys;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.junit.Assume.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.junit.Before;
import org.junit.Test;

/** The hand-written x86_64 layouts (msghdr, cmsghdr, epoll_event, stat) against the real kernel. */
public class PosixTest {

    @Before
    public void nativeAvailable() {
        assumeTrue("native access: " + Posix.unavailableReason(), Posix.unavailableReason() == null);
    }

    @Test
    public void descriptorsPassWithScmRights() throws IOException {
        Fd[] pair = Posix.socketPair("test");
        try (UnixSocket a = new UnixSocket(pair[0]); UnixSocket b = new UnixSocket(pair[1]);
                Fd event = Posix.eventFd("original")) {
            ByteBuffer msg = ByteBuffer.allocateDirect(4).putInt(42).flip();
            a.send(msg, event, event);
            ByteBuffer in = ByteBuffer.allocateDirect(4);
            List<Fd> fds = new ArrayList<>();
            assertTrue(b.receiveFully(in, fds));
            assertEquals(42, in.flip().getInt());
            assertEquals(2, fds.size());
            Posix.signal(fds.get(1));
            assertEquals("the received descriptor is the same eventfd", 1, Posix.drain(event));
            fds.forEach(Fd::close);
        }
    }

    @Test
    public void descriptorsOfConsecutiveMessagesStayApart() throws IOException {
        Fd[] pair = Posix.socketPair("test");
        try (UnixSocket a = new UnixSocket(pair[0]); UnixSocket b = new UnixSocket(pair[1]);
                Fd event = Posix.eventFd("original")) {
            // A full control message, then one more message: each receive gets its own.
            Fd[] many = new Fd[UnixSocket.MAX_FDS];
            java.util.Arrays.fill(many, event);
            a.send(ByteBuffer.allocateDirect(1), many);
            a.send(ByteBuffer.allocateDirect(1), event);
            List<Fd> fds = new ArrayList<>();
            assertTrue(b.receiveFully(ByteBuffer.allocateDirect(1), fds));
            assertEquals(UnixSocket.MAX_FDS, fds.size());
            assertTrue(b.receiveFully(ByteBuffer.allocateDirect(1), fds));
            assertEquals(UnixSocket.MAX_FDS + 1, fds.size());
            fds.forEach(Fd::close);
        }
    }

    @Test
    public void endOfFileBeforeAndInsideAMessage() throws IOException {
        Fd[] pair = Posix.socketPair("test");
        try (UnixSocket a = new UnixSocket(pair[0]); UnixSocket b = new UnixSocket(pair[1])) {
            a.send(ByteBuffer.allocateDirect(2));
            a.close();
            List<Fd> fds = new ArrayList<>();
            try {
                b.receiveFully(ByteBuffer.allocateDirect(4), fds);
                fail("two of four bytes then end of file");
            } catch (java.io.EOFException expected) {
                // the message was cut
            }
            assertFalse(b.receiveFully(ByteBuffer.allocateDirect(4), fds));
        }
    }

    @Test
    public void sharedMappingsOfAMemfdSeeEachOther() throws IOException {
        try (Fd memfd = Posix.memfd("test", 8192)) {
            Posix.FileStat st = Posix.fstat(memfd);
            assertTrue(st.isRegularFile());
            assertEquals(8192, st.size());
            try (Mapping one = Posix.mapShared(memfd, 8192); Mapping two = Posix.mapShared(memfd, 8192)) {
                one.pieces(4096, 4096, 1 << 30).get(0).putLong(8, 0x1122334455667788L);
                List<ByteBuffer> pieces = two.pieces(0, 8192, 4096);
                assertEquals(2, pieces.size());
                assertEquals(0x1122334455667788L, pieces.get(1).getLong(8));
            }
        }
    }

    @Test
    public void epollReportsTheTagOfTheReadyDescriptorOnly() throws IOException {
        try (Epoll epoll = new Epoll(4); Fd a = Posix.eventFd("a"); Fd b = Posix.eventFd("b")) {
            epoll.add(a, 0x1234_5678_9abcL);
            epoll.add(b, 7);
            long[] tags = new long[4];
            assertEquals(0, epoll.await(tags, 0));
            Posix.signal(a);
            assertEquals(1, epoll.await(tags, 1000));
            assertEquals(0x1234_5678_9abcL, tags[0]);
            assertEquals(1, Posix.drain(a));
            epoll.remove(b);
            Posix.signal(b);
            assertEquals(0, epoll.await(tags, 0));
        }
    }

    @Test
    public void pollWaitsForTheFirstReadable() throws IOException {
        try (Fd a = Posix.eventFd("a"); Fd b = Posix.eventFd("b")) {
            assertEquals(-1, Posix.pollIn(10, a, b));
            Posix.signal(b);
            assertEquals(1, Posix.pollIn(1000, a, b));
        }
    }

    @Test
    public void aClosedDescriptorIsClosedOnlyAfterItsLastUser() throws IOException {
        Fd event = Posix.eventFd("event");
        int n = event.acquire();
        event.close();
        assertFalse(event.isOpen());
        // Still usable by the holder: the number has not been given back to the kernel.
        assertTrue(new java.io.File("/proc/self/fd/" + n).exists());
        event.release();
        assertFalse(new java.io.File("/proc/self/fd/" + n).exists());
    }

    @Test
    public void fileMappedIntoAReservedWindowShowsTheSameBytesBothWays() throws IOException {
        try (Fd file = Posix.memfd("window test", 8192); Mapping own = Posix.mapShared(file, 8192);
                Mapping window = Posix.reserve(64 << 10)) {
            window.mapFixed(0x3000, file, 4096, 4096, true);
            own.pieces(4096, 4, 4).get(0).putInt(0, 0x11223344);
            assertEquals(0x11223344, window.pieces(0x3000, 4, 4).get(0).getInt(0));
            window.pieces(0x3000, 8, 8).get(0).putInt(4, 0x55667788);
            assertEquals(0x55667788, own.pieces(4096, 8, 8).get(0).getInt(4));
            window.clear(0x3000, 4096);
            window.mapFixed(0x3000, file, 0, 4096, false);
            assertEquals("remapped at another file offset", 0, window.pieces(0x3000, 4, 4).get(0).getInt(0));
        }
    }

    @Test
    public void lentDescriptorIsDuplicatedNotTaken() throws IOException {
        try (Fd event = Posix.eventFd("lent")) {
            int number = event.acquire();
            try (Fd copy = Posix.dup(number, "copy")) {
                Posix.signal(copy);
            } finally {
                event.release();
            }
            assertEquals("the original stays open and is the same eventfd", 1, Posix.drain(event));
        }
    }

    @Test
    public void receiveWithATimeoutGivesUpOnASilentPeer() throws IOException {
        Fd[] pair = Posix.socketPair("test");
        try (UnixSocket a = new UnixSocket(pair[0]); UnixSocket b = new UnixSocket(pair[1])) {
            a.send(ByteBuffer.allocateDirect(2));
            List<Fd> fds = new ArrayList<>();
            try {
                b.receiveFully(ByteBuffer.allocateDirect(4), fds, 100);
                fail("only 2 of 4 bytes came");
            } catch (java.net.SocketTimeoutException expected) {
                assertTrue(expected.getMessage(), expected.getMessage().contains("2 of 4 bytes"));
            }
        }
    }
}
