package dev.neep.testkit.crossdomain;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;

import dev.neep.testkit.crossdomain.CrossDomainSendReceive.Identifier;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;
import org.junit.Test;

/** The cross-domain commands and Wayland messages, byte for byte as rutabaga and libwayland lay them out. */
public class CrossDomainWireTest {

    @Test
    public void initIsTwentyBytesWithItsSizeInTheHeader() {
        assertEquals("0100140000000000" + "05000000" + "06000000" + "01000000",
                hex(new CrossDomainCommand.Init(5, 6, 1).encode()));
    }

    @Test
    public void getImageRequirementsIsTwentyFourBytes() {
        assertEquals("0200180000000000" + "40010000" + "f0000000" + "58523234" + "10080000",
                hex(new CrossDomainCommand.GetImageRequirements(320, 240, 0x34325258, 0x810).encode()));
    }

    @Test
    public void pollIsAHeader() {
        assertEquals("0300080000000000", hex(new CrossDomainCommand.Poll().encode()));
    }

    @Test
    public void sendCarriesIdentifiersThenPaddedData() {
        ByteBuffer b = CrossDomainSendReceive.send(new byte[] {1, 2, 3, 4, 5}, 7).encode()
                .order(ByteOrder.LITTLE_ENDIAN);

        assertEquals(72, b.remaining());
        assertEquals(4, b.get(0));
        assertEquals(72, b.getShort(2));
        assertEquals(1, b.getInt(8));
        assertEquals(5, b.getInt(12));
        assertEquals("identifiers[0]", 7, b.getInt(16));
        assertEquals("identifier_types[0]", CrossDomainSendReceive.ID_TYPE_VIRTGPU_BLOB, b.getInt(32));
        assertEquals(5, b.get(64 + 4));
        assertEquals(0, b.get(64 + 5));
    }

    @Test
    public void receiveDecodesWhatSendEncodes() {
        CrossDomainSendReceive sent = new CrossDomainSendReceive(CrossDomainCommand.CMD_RECEIVE,
                List.of(new Identifier(1, 9, 4096)), new byte[] {9, 8, 7});

        CrossDomainSendReceive back = CrossDomainSendReceive.decode(sent.encode());

        assertEquals(CrossDomainCommand.CMD_RECEIVE, back.cmd());
        assertEquals(List.of(new Identifier(1, 9, 4096)), back.identifiers());
        assertArrayEquals(new byte[] {9, 8, 7}, back.data());
    }

    @Test
    public void aRingClaimingMoreDataThanItHoldsIsRefused() {
        ByteBuffer ring = CrossDomainSendReceive.send(new byte[4]).encode().order(ByteOrder.LITTLE_ENDIAN);
        ring.putInt(12, 5);

        assertThrows(IllegalArgumentException.class, () -> CrossDomainSendReceive.decode(ring));
    }

    @Test
    public void imageRequirementsDecodeFromSixtyFourBytes() {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, 1280).putInt(16, 0).putLong(32, 0).putLong(40, 307200).putInt(48, 2).putInt(52, 1)
                .putInt(56, -1).putInt(60, -1);

        ImageRequirements r = ImageRequirements.decode(b);

        assertEquals(1280, (int) r.strides().get(0));
        assertEquals(307200, r.size());
        assertEquals(2, r.blobId());
        assertEquals(1, r.mapInfo());
        assertEquals(-1, r.memoryIdx());
    }

    @Test
    public void aBindRequestIsLaidOutAsLibwaylandSendsIt() {
        // wl_registry@2.bind(1, "wl_shm", 1, new id 5): the string with its NUL, padded to 4.
        WaylandMessage bind = WaylandMessage.request(2, 0, new WaylandMessage.Args().word(1).newId("wl_shm", 1, 5));

        assertEquals("02000000" + "00002000" + "01000000" + "07000000" + "776c5f73686d0000" + "01000000" + "05000000",
                HexFormat.of().formatHex(bind.encode()));
    }

    @Test
    public void eventsDecodeAndAPartialMessageWaits() {
        byte[] global = WaylandMessage.request(2, 0, new WaylandMessage.Args().word(10).string("wl_shm").word(1))
                .encode();
        ByteBuffer stream = ByteBuffer.allocate(global.length + 6).put(global).put(global, 0, 6).flip();

        List<WaylandMessage> messages = WaylandMessage.decodeAll(stream);

        assertEquals(1, messages.size());
        WaylandMessage.Reader r = messages.get(0).reader();
        assertEquals(10, r.word());
        assertEquals("wl_shm", r.string());
        assertEquals(1, r.word());
        assertEquals("the cut message is left", 6, stream.remaining());
    }

    @Test
    public void aNullStringReadsAsNull() {
        WaylandMessage m = new WaylandMessage(1, 0, new byte[4]);

        assertNull(m.reader().string());
    }

    @Test
    public void aMessageShorterThanItsHeaderIsRefused() {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(1).putInt(4 << 16).flip();

        assertThrows(IllegalArgumentException.class, () -> WaylandMessage.decodeAll(b));
    }

    private static String hex(ByteBuffer b) {
        byte[] bytes = new byte[b.remaining()];
        b.duplicate().get(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
