package dev.neep.testkit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.neep.gpu.api.Frame;
import dev.neep.gpu.api.Pixels;
import dev.neep.gpu.api.Scanout;
import dev.neep.gpu.api.ScanoutId;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.Rect;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import org.junit.Test;

public class RecordingSinkTest {
    private static final ScanoutId ID = new ScanoutId(ScanoutId.DEFAULT_DEVICE, 0);

    private static Pixels xrgb(int w, int h, int[] argb) {
        ByteBuffer bytes = ByteBuffer.allocate(w * h * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < argb.length; i++) {
            bytes.putInt(i * 4, argb[i] & 0xffffff);
        }
        return Pixels.of(new Frame(Formats.B8G8R8X8_UNORM, w, h, w * 4, bytes));
    }

    @Test
    public void keepsTheNewestPictureAsArgbAndFindsTheAwaitedOne() {
        RecordingSink sink = new RecordingSink();
        int[] first = {0x010203, 0x040506, 0x070809, 0x0a0b0c};
        int[] second = {0xff0000, 0x00ff00, 0x0000ff, 0xffffff};
        sink.frameUpdated(ID, new Rect(0, 0, 2, 2), xrgb(2, 2, first));
        sink.frameUpdated(ID, new Rect(0, 0, 2, 2), xrgb(2, 2, second));
        RecordingSink.Picture p = sink.awaitImage(0, 2, 2, second, Duration.ofSeconds(1));
        assertEquals(0xff00ff00, p.argb()[1]);
        assertFalse(p.shows(2, 2, first));
        assertEquals(2, sink.updates());
    }

    @Test
    public void aPictureThatNeverComesTimesOutSayingWhatItSaw() {
        RecordingSink sink = new RecordingSink();
        sink.frameUpdated(ID, new Rect(0, 0, 2, 1), xrgb(2, 1, new int[] {1, 2}));
        try {
            sink.awaitImage(0, 2, 1, new int[] {3, 4}, Duration.ofMillis(50));
            fail("no such picture was shown");
        } catch (GpuTimeoutException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("gpu:0 did not show the expected 2x1 image"));
            assertTrue(e.getMessage(), e.getMessage().contains("newest: 2x1 picture, 1 update(s)"));
        }
    }

    @Test
    public void aDisabledScanoutForgetsItsPicture() {
        RecordingSink sink = new RecordingSink();
        sink.scanoutChanged(ID, new Scanout(1, Formats.B8G8R8X8_UNORM, 0, 0, 2, 1));
        sink.frameUpdated(ID, new Rect(0, 0, 2, 1), xrgb(2, 1, new int[] {1, 2}));
        assertTrue(sink.picture(ID).isPresent());
        assertTrue(sink.scanout(ID).isPresent());
        sink.scanoutChanged(ID, null);
        assertFalse(sink.picture(ID).isPresent());
        assertFalse(sink.scanout(ID).isPresent());
    }
}
