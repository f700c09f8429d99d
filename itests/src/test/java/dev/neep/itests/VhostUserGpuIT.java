package dev.neep.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.protocol.CtrlHdr;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.DisplayOne;
import dev.neep.gpu.protocol.Rect;
import dev.neep.gpu.protocol.RespDisplayInfo;
import dev.neep.vhostuser.frontend.FrontEnd;
import dev.neep.vhostuser.gpu.VhostUserGpu;
import dev.neep.vhostuser.protocol.MessageHeader;
import dev.neep.vhostuser.protocol.VhostUserRequest;
import dev.neep.vhostuser.sys.Fd;
import dev.neep.vhostuser.sys.Posix;
import dev.neep.vhostuser.sys.UnixSocket;
import dev.neep.virtio.VirtioFeatures;

/**
 * The vhost-user GPU server in a real Felix, as `./neep serve` runs it: configured, the
 * component of vhost-user-gpu serves the GPU device on its socket through the generic
 * vhost-user bundle, and a front end's display channel is a DisplaySink service for as long
 * as the front end keeps it open.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class VhostUserGpuIT extends NeepTestSupport {

    private static final String PID = "dev.neep.vhostuser";
    private static final String COMPONENT = "dev.neep.vhostuser.gpu.internal.VhostUserComponent";
    private static final String SINK_FILTER = "(neep.display.source=vhost-user-gpu)";
    /** The display channel's requests the front end answers (QEMU's vhost-user-gpu protocol). */
    private static final int GET_PROTOCOL_FEATURES = 1;
    private static final int SET_PROTOCOL_FEATURES = 2;
    private static final int GET_DISPLAY_INFO = 3;

    @Test
    public void configuredServerServesTheGpuAndRegistersTheDisplayChannelAsASink() throws Exception {
        assumeTrue("native access: " + Posix.unavailableReason(), Posix.unavailableReason() == null);
        Path dir = Files.createTempDirectory("neep-vhost-user-it");
        Path socket = dir.resolve("gpu.sock");
        try {
            configure(PID, Map.of("socket_path", socket.toString()));
            awaitConfigured(COMPONENT, Map.of("socket_path", socket.toString()));
            await("the socket " + socket, () -> Files.exists(socket) ? Optional.of(socket) : Optional.empty());

            try (FrontEnd frontEnd = new FrontEnd(socket)) {
                long features = frontEnd.call(VhostUserRequest.GET_FEATURES, FrontEnd.none()).u64();
                assertTrue("a modern device", VirtioFeatures.has(features, VirtioFeatures.VIRTIO_F_VERSION_1));

                Fd[] pair = Posix.socketPair("display channel");
                try (Fd handedOver = pair[0]) {
                    frontEnd.send(VhostUserGpu.GPU_SET_SOCKET, FrontEnd.none(), handedOver);
                }
                UnixSocket display = new UnixSocket(pair[1], "the front end's display side");
                try {
                    answerHandshake(display);
                    awaitService(DisplaySink.class, SINK_FILTER);
                    assertArrayEquals(new String[] {"0:640x480"},
                            (String[]) sinkReferences().get(0).getProperty("neep.display.scanouts"));
                } finally {
                    display.close();
                }
                await("the display sink withdrawn once the front end closed the channel",
                        () -> sinkReferences().isEmpty() ? Optional.of(true) : Optional.empty());
            }
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        }
    }

    /** As QEMU: no display protocol features, one 640x480 output. */
    private static void answerHandshake(UnixSocket display) throws IOException {
        assertEquals(GET_PROTOCOL_FEATURES, receive(display).request());
        reply(display, GET_PROTOCOL_FEATURES, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 0));
        assertEquals(SET_PROTOCOL_FEATURES, receive(display).request());
        assertEquals(GET_DISPLAY_INFO, receive(display).request());
        ByteBuffer info = ByteBuffer.allocate(RespDisplayInfo.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        RespDisplayInfo.of(CtrlHdr.of(CtrlType.RESP_OK_DISPLAY_INFO),
                List.of(new DisplayOne(new Rect(0, 0, 640, 480), 1, 0))).encode(info);
        reply(display, GET_DISPLAY_INFO, info.flip());
    }

    /** The next message's header; its payload is read and dropped. */
    private static MessageHeader receive(UnixSocket socket) throws IOException {
        assertTrue("a display channel message within 10 s", Posix.pollIn(10_000, socket.fd()) >= 0);
        List<Fd> fds = new ArrayList<>();
        try {
            ByteBuffer header = ByteBuffer.allocateDirect(MessageHeader.SIZE).order(ByteOrder.LITTLE_ENDIAN);
            assertTrue("the channel is open", socket.receiveFully(header, fds));
            MessageHeader h = MessageHeader.decode(header.flip());
            socket.receiveFully(ByteBuffer.allocateDirect(h.size()), fds);
            return h;
        } finally {
            fds.forEach(Fd::close);
        }
    }

    private static void reply(UnixSocket socket, int request, ByteBuffer payload) throws IOException {
        ByteBuffer b = ByteBuffer.allocateDirect(MessageHeader.SIZE + payload.remaining())
                .order(ByteOrder.LITTLE_ENDIAN);
        new MessageHeader(request, MessageHeader.REPLY, payload.remaining()).encode(b);
        socket.send(b.put(payload).flip());
    }

    private List<ServiceReference<DisplaySink>> sinkReferences() {
        try {
            Collection<ServiceReference<DisplaySink>> refs = context.getServiceReferences(DisplaySink.class,
                    SINK_FILTER);
            return new ArrayList<>(refs);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(SINK_FILTER, e);
        }
    }
}
