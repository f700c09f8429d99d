package dev.neep.display.png.internal;

import dev.neep.config.support.ConfigurationRefused;
import dev.neep.display.support.PacedPictures;
import dev.neep.display.support.Picture;
import dev.neep.display.support.Png;
import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.api.Pixels;
import dev.neep.gpu.api.Scanout;
import dev.neep.gpu.api.ScanoutId;
import dev.neep.gpu.protocol.Rect;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes PNG snapshots of each scanout, at most one per scanout per minimum interval.
 *
 * <p>A sink call only notes the newest pixels and returns. A writer thread of its own reads,
 * converts, encodes and writes (see {@link PacedPictures}): a scanout's first update is written
 * at once, later ones once the interval since its previous write has passed, so the last update
 * of a burst is always written (a trailing write) and the ones in between are folded into it.
 *
 * <p>Files are named after the scanout, {@code scanout-N.png} (and {@code scanout-N-TAKE.png}),
 * prefixed with the device's name and a dash for any device but the one named
 * {@link ScanoutId#DEFAULT_DEVICE}.
 *
 * <p>{@link #close()} flushes: pending snapshots are written at once, ignoring the interval,
 * before the writer stops, so the newest file shows the last picture the sink was given.
 * Updates arriving after close are dropped.
 */
final class PngSnapshots implements DisplaySink, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PngSnapshots.class);

    private final Path directory;
    private final PacedPictures<Void> pictures;

    private PngSnapshots(Path directory, long minIntervalMs) {
        this.directory = directory;
        this.pictures = new PacedPictures<>("neep-png-writer", new ReentrantLock(), minIntervalMs,
                PacedPictures.OnClose.FLUSH, this::write, (id, picture, nothing) -> { });
    }

    /**
     * Creates the directory if needed and starts the writer.
     *
     * @throws ConfigurationRefused naming the {@code directory} property and value when the
     *         directory cannot be created or written
     */
    static PngSnapshots start(PngSettings settings) {
        Path dir = settings.directory();
        try {
            Files.createDirectories(dir);
        } catch (IOException | SecurityException e) {
            throw new ConfigurationRefused(PngDisplayConfig.PID, PngSettings.DIRECTORY, dir,
                    "cannot be created as a directory (" + e + ")");
        }
        if (!Files.isWritable(dir)) {
            throw new ConfigurationRefused(PngDisplayConfig.PID, PngSettings.DIRECTORY, dir,
                    "is not a writable directory");
        }
        PngSnapshots snapshots = new PngSnapshots(dir, settings.minIntervalMs());
        snapshots.pictures.start();
        LOG.debug("PNG snapshots to {} at most every {} ms per scanout", dir, settings.minIntervalMs());
        return snapshots;
    }

    @Override
    public void scanoutChanged(ScanoutId id, Scanout scanout) {
        // Pictures come with frameUpdated; a disabled scanout keeps its last snapshot on disk.
    }

    @Override
    public void frameUpdated(ScanoutId id, Rect dirty, Pixels pixels) {
        // The whole frame, not only the dirty part: nothing restarts the picture when the
        // scanout moves to another resource, so every snapshot is taken whole.
        pictures.update(id, pixels, new Rect(0, 0, pixels.width(), pixels.height()));
    }

    @Override
    public void close() {
        pictures.close();
    }

    /** Writer thread. */
    private Void write(ScanoutId id, long seq, Picture picture) throws IOException {
        byte[] png = Png.encode(picture.toImage());
        String base = (ScanoutId.DEFAULT_DEVICE.equals(id.device()) ? "" : id.device() + "-") + "scanout-"
                + id.scanout();
        writeAtomically(png, base + "-" + seq + ".png");
        writeAtomically(png, base + ".png");
        return null;
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
}
