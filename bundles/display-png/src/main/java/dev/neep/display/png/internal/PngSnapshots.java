package dev.neep.display.png.internal;

import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.api.Frame;
import dev.neep.gpu.api.Rect;
import dev.neep.gpu.api.Scanout;
import dev.neep.gpu.protocol.Formats;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.imageio.ImageIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes PNG snapshots of each scanout, at most one per scanout per minimum interval.
 *
 * <p>The device's thread only copies the frame's pixel rows into the scanout's pending slot
 * (replacing a pending copy not yet written) and returns. A writer thread of its own converts,
 * encodes and writes: a scanout's first update is written at once, later ones once the
 * interval since its previous write has passed, so the last update of a burst is always
 * written (a trailing write) and the ones in between are folded into it.
 *
 * <p>{@link #close()} flushes: pending snapshots are written at once, ignoring the interval,
 * before the writer stops, so the newest file shows the last picture the sink was given.
 * Updates arriving after close are dropped.
 */
final class PngSnapshots implements DisplaySink, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PngSnapshots.class);
    private static final long CLOSE_WAIT_MS = 10_000;

    private final Path directory;
    private final long minIntervalNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Guarded by {@link #lock}. */
    private final Map<Integer, Slot> slots = new HashMap<>();
    /** Guarded by {@link #lock}. */
    private boolean closing;
    private final Thread writer;
    /** Writer thread only: whether the last write failed, so a lasting fault is logged once. */
    private boolean failing;

    private PngSnapshots(Path directory, long minIntervalMs) {
        this.directory = directory;
        this.minIntervalNanos = TimeUnit.MILLISECONDS.toNanos(minIntervalMs);
        this.writer = new Thread(this::writeLoop, "neep-png-writer");
        writer.setDaemon(true);
    }

    /**
     * Creates the directory if needed and starts the writer.
     *
     * @throws IllegalArgumentException naming the {@code directory} property and value when the
     *         directory cannot be created or written
     */
    static PngSnapshots start(PngSettings settings) {
        Path dir = settings.directory();
        try {
            Files.createDirectories(dir);
        } catch (IOException | SecurityException e) {
            throw PngSettings.refused(PngSettings.DIRECTORY, dir.toString(), "a directory that can be created ("
                    + e + ")");
        }
        if (!Files.isWritable(dir)) {
            throw PngSettings.refused(PngSettings.DIRECTORY, dir.toString(), "a writable directory");
        }
        PngSnapshots snapshots = new PngSnapshots(dir, settings.minIntervalMs());
        snapshots.writer.start();
        LOG.debug("PNG snapshots to {} at most every {} ms per scanout", dir, settings.minIntervalMs());
        return snapshots;
    }

    @Override
    public void scanoutChanged(int scanoutId, Scanout scanout) {
        // Pictures come with frameUpdated; a disabled scanout keeps its last snapshot on disk.
    }

    @Override
    public void frameUpdated(int scanoutId, Rect dirty, Frame frame) {
        lock.lock();
        try {
            if (closing) {
                return;
            }
            Slot slot = slots.computeIfAbsent(scanoutId, id -> new Slot());
            Snapshot s = slot.pending;
            if (s == null) {
                s = slot.spare != null ? slot.spare : new Snapshot();
                slot.spare = null;
            }
            s.copy(frame);
            slot.pending = s;
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closing) {
                return;
            }
            closing = true;
            changed.signal();
        } finally {
            lock.unlock();
        }
        try {
            writer.join(CLOSE_WAIT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            LOG.warn("PNG writer still busy after {} ms; leaving it to finish on its own", CLOSE_WAIT_MS);
        }
    }

    private void writeLoop() {
        lock.lock();
        try {
            while (true) {
                Integer due = null;
                long dueAt = 0;
                for (Map.Entry<Integer, Slot> e : slots.entrySet()) {
                    Slot slot = e.getValue();
                    if (slot.pending != null && (due == null || slot.nextWriteAt - dueAt < 0)) {
                        due = e.getKey();
                        dueAt = slot.nextWriteAt;
                    }
                }
                if (due == null) {
                    if (closing) {
                        return;
                    }
                    changed.awaitUninterruptibly();
                    continue;
                }
                long now = System.nanoTime();
                if (!closing && dueAt - now > 0) {
                    changed.awaitNanos(dueAt - now);
                    continue;
                }
                Slot slot = slots.get(due);
                Snapshot snapshot = slot.pending;
                slot.pending = null;
                int seq = ++slot.seq;
                slot.nextWriteAt = now + minIntervalNanos;
                lock.unlock();
                try {
                    write(due, seq, snapshot);
                } finally {
                    lock.lock();
                }
                slot.spare = snapshot;
            }
        } catch (InterruptedException e) {
            LOG.warn("PNG writer interrupted; pending snapshots are dropped");
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    private void write(int scanoutId, int seq, Snapshot snapshot) {
        try {
            byte[] png = encode(snapshot.toImage());
            writeAtomically(png, "scanout-" + scanoutId + "-" + seq + ".png");
            writeAtomically(png, "scanout-" + scanoutId + ".png");
            failing = false;
        } catch (IOException | RuntimeException e) {
            if (!failing) {
                LOG.error("cannot write PNG snapshot {} of scanout {} to {}; further failures are logged at debug"
                        + " until a write succeeds", seq, scanoutId, directory, e);
                failing = true;
            } else {
                LOG.debug("cannot write PNG snapshot {} of scanout {}", seq, scanoutId, e);
            }
        }
    }

    static byte[] encode(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(image, "png", out)) {
            throw new IOException("no PNG writer in ImageIO");
        }
        return out.toByteArray();
    }

    /** Readers of {@code name} see the old file or the new one, never half of one. */
    private void writeAtomically(byte[] content, String name) throws IOException {
        Path tmp = Files.createTempFile(directory, "." + name + ".", ".tmp");
        try {
            Files.write(tmp, content);
            Files.move(tmp, directory.resolve(name), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** One scanout's state; guarded by the lock except {@link #seq}, which is the writer's. */
    private static final class Slot {
        Snapshot pending;
        /** A written snapshot's buffers, kept for the next update to fill. */
        Snapshot spare;
        long nextWriteAt = System.nanoTime();
        int seq;
    }

    /** A copy of one frame's pixel rows, packed without stride padding. */
    static final class Snapshot {
        int format;
        int width;
        int height;
        byte[] pixels = new byte[0];

        void copy(Frame frame) {
            int rowBytes = frame.width() * Formats.bytesPerPixel(frame.format());
            int size = rowBytes * frame.height();
            if (pixels.length != size) {
                pixels = new byte[size];
            }
            format = frame.format();
            width = frame.width();
            height = frame.height();
            ByteBuffer src = frame.pixels();
            int base = src.position();
            if (frame.stride() == rowBytes) {
                src.get(base, pixels, 0, size);
            } else {
                for (int y = 0; y < height; y++) {
                    src.get(base + y * frame.stride(), pixels, y * rowBytes, rowBytes);
                }
            }
        }

        /** The pixels as an image: X formats become opaque RGB, the others ARGB with their alpha. */
        BufferedImage toImage() {
            BufferedImage image = new BufferedImage(width, height,
                    Formats.hasAlpha(format) ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
            int[] argb = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
            Formats.toArgb(format, pixels, 0, argb, 0, width * height);
            return image;
        }
    }
}
