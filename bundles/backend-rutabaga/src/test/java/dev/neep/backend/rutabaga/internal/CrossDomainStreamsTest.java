package dev.neep.backend.rutabaga.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.protocol.CtrlType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import org.junit.Test;

/** What {@link CrossDomainStreams} lets through to the library, and what it refuses. */
public class CrossDomainStreamsTest {

    /** Resource 1: a page of guest memory; 2: 32 bytes; 3: one 1024-byte run then more. */
    private static final Map<Integer, List<ByteBuffer>> BACKING = Map.of(
            1, List.of(ByteBuffer.allocateDirect(4096)),
            2, List.of(ByteBuffer.allocateDirect(32)),
            3, List.of(ByteBuffer.allocateDirect(1024), ByteBuffer.allocateDirect(4096)));

    @Test
    public void wellFormedStreamsPass() throws Exception {
        check(init(1, 1, 1), imageRequirements(), poll(), send(8, 8));
        check(poll(), poll());
        check(legacyInit(1, 0));
        check(init(1, 99, 0));
        check();
    }

    @Test
    public void aCommandThatDoesNotMoveTheStreamOnIsRefused() {
        assertRefused("cmd_size 0", header(3, 0, 8));
        assertRefused("cmd_size 4", header(3, 4, 8));
    }

    @Test
    public void aCommandLongerThanTheStreamIsRefused() {
        assertRefused("cmd_size 16", header(3, 16, 8));
        assertRefused("less than its 8-byte header", ByteBuffer.allocate(4));
    }

    @Test
    public void anUnknownCommandIsRefused() {
        assertRefused("cmd 5", header(5, 8, 8));
        assertRefused("cmd 0", header(0, 8, 8));
    }

    @Test
    public void aCommandShorterThanItsStructIsRefused() {
        assertRefused("GET_IMAGE_REQUIREMENTS", header(2, 16, 16));
        assertRefused("(INIT) has cmd_size 12", header(1, 12, 12));
    }

    @Test
    public void dataBeyondTheCommandIsRefused() {
        assertRefused("carries 9 bytes", send(8, 9));
        assertRefused("carries 4294967295 bytes", send(8, -1));
    }

    @Test
    public void ringsTheLibraryCannotWriteItsAnswersToAreRefused() {
        assertRefused("no resource with guest memory", init(42, 1, 1));
        assertRefused("has 32 bytes", init(2, 1, 0));
        assertRefused("channel ring, whose first run of guest memory has 1024 bytes", init(1, 3, 1));
        assertRefused("as its query ring, whose first run of guest memory has 32 bytes", legacyInit(2, 1));
    }

    private static void check(ByteBuffer... commands) throws GpuBackendException {
        CrossDomainStreams.check(stream(commands), BACKING::get);
    }

    private static void assertRefused(String why, ByteBuffer... commands) {
        GpuBackendException e = assertThrows(GpuBackendException.class, () -> check(commands));
        assertEquals(CtrlType.RESP_ERR_INVALID_PARAMETER, e.responseType());
        assertTrue(e.getMessage(), e.getMessage().contains(why));
    }

    private static ByteBuffer stream(ByteBuffer... commands) {
        int size = 0;
        for (ByteBuffer c : commands) {
            size += c.remaining();
        }
        ByteBuffer all = ByteBuffer.allocate(size);
        for (ByteBuffer c : commands) {
            all.put(c.duplicate());
        }
        return all.flip();
    }

    private static ByteBuffer header(int cmd, int cmdSize, int length) {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        return b.put(0, (byte) cmd).putShort(2, (short) cmdSize);
    }

    private static ByteBuffer init(int queryRing, int channelRing, int channelType) {
        return header(1, 20, 20).putInt(8, queryRing).putInt(12, channelRing).putInt(16, channelType);
    }

    private static ByteBuffer legacyInit(int queryRing, int channelType) {
        return header(1, 16, 16).putInt(8, queryRing).putInt(12, channelType);
    }

    private static ByteBuffer imageRequirements() {
        return header(2, 24, 24);
    }

    private static ByteBuffer poll() {
        return header(3, 8, 8);
    }

    private static ByteBuffer send(int dataBytes, int claimed) {
        return header(4, 64 + dataBytes, 64 + dataBytes).putInt(12, claimed);
    }
}
