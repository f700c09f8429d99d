package dev.neep.vhostuser.gpu.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import dev.neep.gpu.api.CursorImage;
import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.api.Frame;
import dev.neep.gpu.api.Pixels;
import dev.neep.gpu.api.Scanout;
import dev.neep.gpu.api.ScanoutId;
import dev.neep.gpu.protocol.CtrlHdr;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.DisplayOne;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.Rect;
import dev.neep.gpu.protocol.RespDisplayInfo;
import dev.neep.gpu.protocol.RespEdid;
import dev.neep.vhostuser.gpu.DisplayChannelListener;
import dev.neep.vhostuser.protocol.MessageHeader;
import dev.neep.vhostuser.sys.Fd;
import dev.neep.vhostuser.sys.Posix;
import dev.neep.vhostuser.sys.UnixSocket;

/** The display channel against a test playing QEMU's side of the vhost-user-gpu socket. */
public class DisplayChannelTest {

    private final BlockingQueue<Object> events = new ArrayBlockingQueue<>(8);
    private final DisplayChannelListener listener = new DisplayChannelListener() {
        @Override
        public void channelUp(DisplaySink sink, Map<String, Object> properties) {
            events.add(properties);
            events.add(sink);
        }

        @Override
        public void channelDown(DisplaySink sink) {
            events.add("down");
        }
    };
    private UnixSocket qemu;
    private DisplayChannel channel;

    @Before
    public void open() throws IOException {
        assumeTrue("native access: " + Posix.unavailableReason(), Posix.unavailableReason() == null);
        Fd[] pair = Posix.socketPair("display channel");
        qemu = new UnixSocket(pair[1]);
        channel = DisplayChannel.open(pair[0], listener);
    }

    @After
    public void close() {
        if (channel != null) {
            channel.close();
            qemu.close();
        }
    }

    private record Msg(MessageHeader header, ByteBuffer payload) {
    }

    private Msg receive() throws IOException {
        assertTrue("a message within 5 s", Posix.pollIn(5000, qemu.fd()) >= 0);
        List<Fd> fds = new ArrayList<>();
        ByteBuffer h = ByteBuffer.allocateDirect(MessageHeader.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        assertTrue(qemu.receiveFully(h, fds));
        MessageHeader header = MessageHeader.decode(h.flip());
        ByteBuffer p = ByteBuffer.allocateDirect(header.size()).order(ByteOrder.LITTLE_ENDIAN);
        qemu.receiveFully(p, fds);
        assertEquals(0, fds.size());
        return new Msg(header, p.flip());
    }

    private void reply(int request, ByteBuffer payload) throws IOException {
        ByteBuffer b = ByteBuffer.allocateDirect(MessageHeader.SIZE + payload.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        new MessageHeader(request, MessageHeader.REPLY, payload.remaining()).encode(b);
        b.put(payload).flip();
        qemu.send(b);
    }

    /** Answers the channel's opening questions as QEMU 10 does; returns the sink once it is up. */
    @SuppressWarnings("unchecked")
    private DisplaySink handshake() throws Exception {
        Msg m = receive();
        assertEquals(GpuRequest.GET_PROTOCOL_FEATURES, m.header.request());
        reply(GpuRequest.GET_PROTOCOL_FEATURES, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0x3).flip());
        m = receive();
        assertEquals(GpuRequest.SET_PROTOCOL_FEATURES, m.header.request());
        assertEquals("EDID only: DMABUF2 is not used", 1L, m.payload.getLong(0));
        m = receive();
        assertEquals(GpuRequest.GET_DISPLAY_INFO, m.header.request());
        ByteBuffer info = ByteBuffer.allocate(RespDisplayInfo.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        RespDisplayInfo.of(CtrlHdr.of(CtrlType.RESP_OK_DISPLAY_INFO),
                List.of(new DisplayOne(new dev.neep.gpu.protocol.Rect(0, 0, 1024, 768), 1, 0))).encode(info);
        reply(GpuRequest.GET_DISPLAY_INFO, info.flip());
        m = receive();
        assertEquals(GpuRequest.GET_EDID, m.header.request());
        assertEquals(0, m.payload.getInt(0));
        ByteBuffer edid = ByteBuffer.allocate(RespEdid.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        RespEdid.of(CtrlHdr.of(CtrlType.RESP_OK_EDID), new byte[] {0, -1, -1, -1, -1, -1, -1, 0}).encode(edid);
        reply(GpuRequest.GET_EDID, edid.flip());

        Map<String, Object> properties = (Map<String, Object>) events.poll(5, TimeUnit.SECONDS);
        assertNotNull("channel up", properties);
        assertArrayEquals(new String[] {"0:1024x768"}, (String[]) properties.get(DisplayChannel.PROP_SCANOUTS));
        assertEquals(8, ((byte[]) properties.get(DisplayChannel.PROP_EDID_PREFIX + "0")).length);
        return (DisplaySink) events.poll(5, TimeUnit.SECONDS);
    }

    @Test
    public void updatesCarryTheDirtyRectangleAsXrgbWords() throws Exception {
        DisplaySink sink = handshake();
        int w = 4;
        int h = 2;
        sink.scanoutChanged(id(0), new Scanout(1, Formats.R8G8B8A8_UNORM, 0, 0, w, h));
        ByteBuffer pixels = ByteBuffer.allocate(16 + w * h * 4);
        pixels.position(16); // the frame starts at the buffer's position
        int[] argb = new int[w * h];
        for (int i = 0; i < argb.length; i++) {
            argb[i] = 0xff000000 | (i * 0x10) << 16 | (i * 0x20) << 8 | i;
        }
        Formats.fromArgb(Formats.R8G8B8A8_UNORM, argb, 0, pixels, 16, argb.length);
        sink.frameUpdated(id(0), new Rect(1, 0, 2, 2), Pixels.of(new Frame(Formats.R8G8B8A8_UNORM, w, h, w * 4, pixels)));

        Msg scanout = receive();
        assertEquals(GpuRequest.SCANOUT, scanout.header.request());
        assertEquals(12, scanout.header.size());
        assertEquals(0, scanout.payload.getInt(0));
        assertEquals(w, scanout.payload.getInt(4));
        assertEquals(h, scanout.payload.getInt(8));

        Msg update = receive();
        assertEquals(GpuRequest.UPDATE, update.header.request());
        assertEquals(0, update.header.flags());
        assertEquals(20 + 2 * 2 * 4, update.header.size());
        ByteBuffer p = update.payload;
        assertEquals(0, p.getInt(0));
        assertEquals(1, p.getInt(4));
        assertEquals(0, p.getInt(8));
        assertEquals(2, p.getInt(12));
        assertEquals(2, p.getInt(16));
        // x8r8g8b8 little-endian words, rows of width * 4 bytes
        assertEquals(argb[1], p.getInt(20));
        assertEquals(argb[2], p.getInt(24));
        assertEquals(argb[w + 1], p.getInt(28));
        assertEquals(argb[w + 2], p.getInt(32));
    }

    @Test
    public void cursorAndDisabledScanoutMessages() throws Exception {
        DisplaySink sink = handshake();
        sink.cursorDefined(id(0), new CursorImage(2, 1, 1, 0, new int[] {0xff112233, 0x80445566}));
        sink.cursorMoved(id(0), 10, 20);
        sink.cursorDefined(id(0), null);
        sink.scanoutChanged(id(0), null);

        Msg cursor = receive();
        assertEquals(GpuRequest.CURSOR_UPDATE, cursor.header.request());
        assertEquals(GpuRequest.CURSOR_UPDATE_SIZE, cursor.header.size());
        assertEquals(1, cursor.payload.getInt(12));
        assertEquals(0, cursor.payload.getInt(16));
        assertEquals(0xff112233, cursor.payload.getInt(20));
        assertEquals(0x80445566, cursor.payload.getInt(24));
        assertEquals("the rest of the 64 x 64 picture is transparent", 0, cursor.payload.getInt(20 + 64 * 4));

        Msg move = receive();
        assertEquals(GpuRequest.CURSOR_POS, move.header.request());
        assertEquals(10, move.payload.getInt(4));
        assertEquals(20, move.payload.getInt(8));
        assertEquals(GpuRequest.CURSOR_POS_HIDE, receive().header.request());
        Msg disabled = receive();
        assertEquals(GpuRequest.SCANOUT, disabled.header.request());
        assertEquals(0, disabled.payload.getInt(4));
        assertEquals(0, disabled.payload.getInt(8));
    }

    @Test
    public void frontEndClosingTheChannelWithdrawsTheSink() throws Exception {
        DisplaySink sink = handshake();
        qemu.close();
        sink.scanoutChanged(id(0), new Scanout(1, Formats.B8G8R8X8_UNORM, 0, 0, 8, 8));
        assertEquals("down", events.poll(5, TimeUnit.SECONDS));
        // Calls after that are ignored, not errors.
        sink.scanoutChanged(id(0), null);
    }

    private static ScanoutId id(int scanout) {
        return new ScanoutId(ScanoutId.DEFAULT_DEVICE, scanout);
    }
}
