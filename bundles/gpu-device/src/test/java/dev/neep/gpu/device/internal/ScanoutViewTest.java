package dev.neep.gpu.device.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.neep.gpu.api.Frame;
import dev.neep.gpu.api.Pixels;
import dev.neep.gpu.protocol.Formats;
import dev.neep.virtio.OnceLog;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.Test;
import org.slf4j.LoggerFactory;

/** The read protocol of a scanout's pixels: torn reads retried, given up only when pointless. */
public class ScanoutViewTest {
    private final PixelSeqlock seqlock = new PixelSeqlock();
    private final ScanoutView view = new ScanoutView(seqlock,
            new OnceLog(LoggerFactory.getLogger(ScanoutViewTest.class), "test"));
    private final Frame frame = new Frame(Formats.B8G8R8X8_UNORM, 2, 1, 8, ByteBuffer.allocate(8));

    @Test
    public void anUntouchedReadIsWholeAtOnce() {
        Pixels p = view.flushed(frame);
        AtomicInteger reads = new AtomicInteger();
        assertTrue(p.read(f -> reads.incrementAndGet()));
        assertEquals(1, reads.get());
        assertEquals(2, p.width());
    }

    @Test
    public void aReadTornByABackendCallIsReadAgain() {
        Pixels p = view.flushed(frame);
        AtomicInteger reads = new AtomicInteger();
        assertTrue(p.read(f -> {
            if (reads.incrementAndGet() == 1) {
                seqlock.beginWrite();
                seqlock.endWrite();
            }
        }));
        assertEquals(2, reads.get());
    }

    @Test
    public void aTornReadWithANewerFlushAnnouncedGivesUp() {
        Pixels older = view.flushed(frame);
        AtomicInteger reads = new AtomicInteger();
        assertFalse(older.read(f -> {
            reads.incrementAndGet();
            seqlock.beginWrite();
            view.flushed(frame);
            seqlock.endWrite();
        }));
        assertEquals(1, reads.get());
    }

    @Test
    public void aRetiredViewNoLongerReads() {
        Pixels p = view.flushed(frame);
        view.retire();
        AtomicInteger reads = new AtomicInteger();
        assertFalse(p.read(f -> reads.incrementAndGet()));
        assertEquals(0, reads.get());
    }

    @Test
    public void eachReaderGetsItsOwnReadOnlyViewAtTheFramesPosition() {
        ByteBuffer pixels = ByteBuffer.allocate(16);
        Pixels p = view.flushed(new Frame(Formats.B8G8R8X8_UNORM, 2, 1, 8, pixels.position(8)));
        assertTrue(p.read(f -> {
            assertTrue(f.pixels().isReadOnly());
            assertEquals(8, f.pixels().position());
            f.pixels().position(0);
        }));
        assertTrue(p.read(f -> assertEquals(8, f.pixels().position())));
    }
}
