package dev.neep.testkit;

import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.api.Frames;
import dev.neep.gpu.api.Pixels;
import dev.neep.gpu.api.Scanout;
import dev.neep.gpu.api.ScanoutId;
import dev.neep.gpu.protocol.Rect;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A {@link DisplaySink} for assertions: it keeps, per scanout, the newest picture as ARGB
 * (0xAARRGGBB, row-major; formats without alpha read as alpha 0xff) and counts the updates,
 * and lets a test wait, bounded, for the picture it expects. Register it as a
 * {@code DisplaySink} service (in a framework) or add it to a device (embedded), draw, then
 * {@link #awaitPicture}:
 *
 * <pre>{@code
 * RecordingSink sink = new RecordingSink();
 * context.registerService(DisplaySink.class, sink, null);
 * driver.drawImage(0, w, h, argb);
 * sink.awaitImage(0, w, h, argb, Duration.ofSeconds(10));
 * }</pre>
 *
 * <p>It reads the whole scanout at every update, on the thread the device calls it on (never
 * the device's own), which is simple and slow: a sink for tests, not for production.
 * Thread-safe; one sink may serve several devices (pictures are kept by {@link ScanoutId}).
 */
public final class RecordingSink implements DisplaySink {

    /** A scanout's picture: {@code width} x {@code height} ARGB pixels, row-major. */
    public record Picture(int width, int height, int[] argb) {

        /** Whether this is {@code argb} at {@code width} x {@code height}, alpha ignored. */
        public boolean shows(int width, int height, int[] argb) {
            if (this.width != width || this.height != height || this.argb.length != argb.length) {
                return false;
            }
            for (int i = 0; i < argb.length; i++) {
                if (((this.argb[i] ^ argb[i]) & 0xffffff) != 0) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Picture p && p.width == width && p.height == height && Arrays.equals(p.argb, argb);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * width + height) + Arrays.hashCode(argb);
        }

        @Override
        public String toString() {
            return width + "x" + height + " picture";
        }
    }

    private final Map<ScanoutId, Picture> pictures = new HashMap<>();
    private final Map<ScanoutId, Scanout> scanouts = new HashMap<>();
    private long updates;

    @Override
    public synchronized void scanoutChanged(ScanoutId id, Scanout scanout) {
        if (scanout == null) {
            scanouts.remove(id);
            pictures.remove(id);
        } else {
            scanouts.put(id, scanout);
        }
        notifyAll();
    }

    @Override
    public void frameUpdated(ScanoutId id, Rect dirty, Pixels pixels) {
        int[] argb = new int[pixels.width() * pixels.height()];
        // false: a newer update or a scanoutChanged is on its way; nothing to keep from this one
        if (pixels.read(f -> Frames.toArgb(f, new Rect(0, 0, f.width(), f.height()), argb))) {
            synchronized (this) {
                pictures.put(id, new Picture(pixels.width(), pixels.height(), argb));
                updates++;
                notifyAll();
            }
        }
    }

    /** The newest picture of {@code id}, if it has shown one since it was last enabled. */
    public synchronized Optional<Picture> picture(ScanoutId id) {
        return Optional.ofNullable(pictures.get(id));
    }

    /** The geometry {@code id} shows, if it is enabled. */
    public synchronized Optional<Scanout> scanout(ScanoutId id) {
        return Optional.ofNullable(scanouts.get(id));
    }

    /** How many pictures this sink has read, over all scanouts. */
    public synchronized long updates() {
        return updates;
    }

    /**
     * Waits until the newest picture of {@code id} satisfies {@code wanted}, for at most
     * {@code timeout}, and returns it.
     *
     * @throws GpuTimeoutException naming what was awaited and the newest picture seen
     */
    public synchronized Picture awaitPicture(ScanoutId id, Predicate<Picture> wanted, String what,
            Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Picture p = pictures.get(id);
            if (p != null && wanted.test(p)) {
                return p;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new GpuTimeoutException("scanout " + id + " did not show " + what + " within " + timeout
                        + "; newest: " + (p == null ? "none" : p) + ", " + updates + " update(s) in all");
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new GpuTimeoutException("interrupted while waiting for " + what + " on " + id);
            }
        }
    }

    /**
     * Waits until scanout {@code scanout} of the default device ({@link ScanoutId#DEFAULT_DEVICE})
     * shows {@code argb} at {@code width} x {@code height} (alpha ignored), for at most
     * {@code timeout}.
     *
     * @throws GpuTimeoutException when it does not
     */
    public Picture awaitImage(int scanout, int width, int height, int[] argb, Duration timeout) {
        return awaitPicture(new ScanoutId(ScanoutId.DEFAULT_DEVICE, scanout), p -> p.shows(width, height, argb),
                "the expected " + width + "x" + height + " image", timeout);
    }

    /**
     * Waits until scanout {@code scanout} of the default device shows the {@link TestPattern}
     * at {@code width} x {@code height}, for at most {@code timeout}.
     *
     * @throws GpuTimeoutException when it does not
     */
    public Picture awaitPattern(int scanout, int width, int height, Duration timeout) {
        return awaitImage(scanout, width, height, TestPattern.image(width, height), timeout);
    }
}
