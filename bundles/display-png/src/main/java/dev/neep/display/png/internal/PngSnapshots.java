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
import java.nio.file.attribute.PosixFilePermissions;
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
 * <p>Files are named after the scanout, {@code scanout-N.png} (and {@code scanout-N-TAKE.png}
 * for the last {@code keep} snapshots, older ones deleted as new ones are written),
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
    private final int keep;
    private final PacedPictures<Void> pictures;
    /** Writer thread's own: whether a failed deletion was logged already. */
    private boolean deleteFailureLogged;

    private PngSnapshots(Path directory, long minIntervalMs, int keep) {
        this.directory = directory;
        this.keep = keep;
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
        PngSnapshots snapshots = new PngSnapshots(dir, settings.minIntervalMs(), settings.keep());
        snapshots.pictures.start();
        LOG.debug("PNG snapshots to {} at most every {} ms per scanout, the last {} numbered ones kept", dir,
                settings.minIntervalMs(), settings.keep());
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
        if (keep > 0) {
            writeAtomically(png, base + "-" + seq + ".png");
            if (seq > keep) {
                deleteOld(base + "-" + (seq - keep) + ".png");
            }
        }
        writeAtomically(png, base + ".png");
        return null;
    }

    /** A numbered snapshot that fell out of the last {@code keep}; a failure is logged once and the writer goes on. */
    private void deleteOld(String name) {
        try {
            Files.deleteIfExists(directory.resolve(name));
        } catch (IOException e) {
            if (!deleteFailureLogged) {
                deleteFailureLogged = true;
                LOG.warn("cannot delete the old PNG snapshot {} (further failures are not logged): {}",
                        directory.resolve(name), e.toString());
            }
        }
    }

    /**
     * A temporary file is created 0600; a snapshot is for whoever looks at the screen (a viewer,
     * another user's tool), so it gets 0644 as a file written the ordinary way would.
     */
    private static void readableByAll(Path file) throws IOException {
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        }
    }

    /** Readers of {@code name} see the old file or the new one, never half of one. */
    private void writeAtomically(byte[] content, String name) throws IOException {
        Path tmp = Files.createTempFile(directory, "." + name + ".", ".tmp");
        try {
            Files.write(tmp, content);
            readableByAll(tmp);
            Files.move(tmp, directory.resolve(name), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
