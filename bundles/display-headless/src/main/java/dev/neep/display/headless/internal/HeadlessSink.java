package dev.neep.display.headless.internal;

import dev.neep.display.headless.FrameFacts;
import dev.neep.display.headless.HeadlessDisplay;
import dev.neep.display.headless.ScanoutStats;
import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.api.Frame;
import dev.neep.gpu.api.Scanout;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.Rect;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32;

/**
 * Counts frames per scanout and keeps the last frame's facts. Updates come from device threads
 * and reads from test threads: each scanout's stats are one immutable value, replaced whole.
 */
final class HeadlessSink implements DisplaySink, HeadlessDisplay {
    private final Map<Integer, ScanoutStats> scanouts = new ConcurrentHashMap<>();

    @Override
    public ScanoutStats stats(int scanoutId) {
        return scanouts.getOrDefault(scanoutId, empty(scanoutId));
    }

    @Override
    public void scanoutChanged(int scanoutId, Scanout scanout) {
        scanouts.compute(scanoutId, (id, s) -> {
            ScanoutStats old = s == null ? empty(id) : s;
            return new ScanoutStats(id, old.frames(), scanout, old.lastFrame(), old.cursorX(), old.cursorY());
        });
    }

    @Override
    public void frameUpdated(int scanoutId, Rect dirty, Frame frame) {
        // The checksum is taken here, on the caller's thread, because the frame is only valid now.
        FrameFacts facts = new FrameFacts(frame.width(), frame.height(), frame.format(), dirty, crc32(frame));
        scanouts.compute(scanoutId, (id, s) -> {
            ScanoutStats old = s == null ? empty(id) : s;
            return new ScanoutStats(id, old.frames() + 1, old.scanout(), facts, old.cursorX(), old.cursorY());
        });
    }

    @Override
    public void cursorMoved(int scanoutId, int x, int y) {
        scanouts.compute(scanoutId, (id, s) -> {
            ScanoutStats old = s == null ? empty(id) : s;
            return new ScanoutStats(id, old.frames(), old.scanout(), old.lastFrame(), x, y);
        });
    }

    private static ScanoutStats empty(int scanoutId) {
        return new ScanoutStats(scanoutId, 0, null, null, 0, 0);
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
