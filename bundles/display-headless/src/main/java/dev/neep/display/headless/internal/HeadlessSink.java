package dev.neep.display.headless.internal;

import dev.neep.display.headless.FrameFacts;
import dev.neep.display.headless.HeadlessDisplay;
import dev.neep.display.headless.ScanoutStats;
import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.api.Frame;
import dev.neep.gpu.api.Pixels;
import dev.neep.gpu.api.Scanout;
import dev.neep.gpu.api.ScanoutId;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.Rect;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32;

/**
 * Counts frames per scanout and keeps the last frame's facts. Updates come from the devices'
 * dispatch threads and reads from test threads: each scanout's stats are one immutable value,
 * replaced whole.
 */
final class HeadlessSink implements DisplaySink, HeadlessDisplay {
    private final Map<ScanoutId, ScanoutStats> scanouts = new ConcurrentHashMap<>();

    @Override
    public ScanoutStats stats(int scanoutId) {
        return stats(new ScanoutId(ScanoutId.DEFAULT_DEVICE, scanoutId));
    }

    @Override
    public ScanoutStats stats(ScanoutId id) {
        return scanouts.getOrDefault(id, empty(id));
    }

    @Override
    public void scanoutChanged(ScanoutId id, Scanout scanout) {
        scanouts.compute(id, (k, s) -> {
            ScanoutStats old = s == null ? empty(k) : s;
            return new ScanoutStats(k.scanout(), old.frames(), scanout, old.lastFrame(), old.cursorX(), old.cursorY());
        });
    }

    @Override
    public void frameUpdated(ScanoutId id, Rect dirty, Pixels pixels) {
        long[] crc = new long[1];
        // A read that is not whole keeps the last facts: a newer update is on its way.
        boolean whole = pixels.read(f -> crc[0] = crc32(f));
        FrameFacts facts = whole ? new FrameFacts(pixels.width(), pixels.height(), pixels.format(), dirty, crc[0])
                : null;
        scanouts.compute(id, (k, s) -> {
            ScanoutStats old = s == null ? empty(k) : s;
            return new ScanoutStats(k.scanout(), old.frames() + 1, old.scanout(),
                    facts != null ? facts : old.lastFrame(), old.cursorX(), old.cursorY());
        });
    }

    @Override
    public void cursorMoved(ScanoutId id, int x, int y) {
        scanouts.compute(id, (k, s) -> {
            ScanoutStats old = s == null ? empty(k) : s;
            return new ScanoutStats(k.scanout(), old.frames(), old.scanout(), old.lastFrame(), x, y);
        });
    }

    private static ScanoutStats empty(ScanoutId id) {
        return new ScanoutStats(id.scanout(), 0, null, null, 0, 0);
    }

    /** CRC32 of the {@code width * bpp} pixel bytes of each row, in order. */
    static long crc32(Frame frame) {
        int rowBytes = frame.width() * Formats.bytesPerPixel(frame.format());
        ByteBuffer pixels = frame.pixels();
        int base = pixels.position();
        CRC32 crc = new CRC32();
        if (frame.stride() == rowBytes) {
            crc.update(pixels.slice(base, rowBytes * frame.height()));
        } else {
            for (int y = 0; y < frame.height(); y++) {
                crc.update(pixels.slice(base + y * frame.stride(), rowBytes));
            }
        }
        return crc.getValue();
    }
}
