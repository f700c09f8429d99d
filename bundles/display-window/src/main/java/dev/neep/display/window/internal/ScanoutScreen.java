package dev.neep.display.window.internal;

import dev.neep.display.support.Cursors;
import dev.neep.gpu.api.CursorImage;
import dev.neep.gpu.api.Pixels;
import dev.neep.gpu.api.Frames;
import dev.neep.gpu.api.Scanout;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.Rect;
import java.awt.Dimension;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;

/**
 * One scanout's picture and cursor, handed from the device's thread to the thread that paints
 * (Swing's event dispatch thread), and how it is painted. Needs no display: tests paint it into
 * an image.
 *
 * <p>The device side ({@link #scanout}, {@link #frame}, {@link #cursor}, {@link #moveCursor})
 * converts what it is given into pending state under a short lock and returns: a frame's pixels
 * inside its dirty rectangle go into a full copy of the scanout, and the rectangle is added to
 * what the next flush copies to the painted picture. Each returns
 * true only when no {@link #flush} is outstanding yet, so the caller asks the painting thread
 * for one flush however many updates come before it runs. The painting side ({@link #flush},
 * {@link #paint}, {@link #size}, {@link #enabled}) is confined to one thread.
 *
 * <p>The picture is opaque: a scanout is the whole screen, and its alpha channel (of the A
 * formats) has nothing behind it to blend with. The cursor keeps its alpha.
 */
final class ScanoutScreen {
    /** What a {@link #flush} changed, for the window to act on. */
    record Flushed(boolean geometry, boolean picture, boolean cursor) {
        boolean any() {
            return geometry || picture || cursor;
        }
    }

    private final Object lock = new Object();
    // Device side, guarded by lock.
    private boolean flushAsked;
    private Scanout pendingScanout;
    private boolean pendingEnabled;
    private boolean geometryChanged;
    /** The newest pixels of the whole scanout as ARGB, {@code width * height}; null until a frame comes. */
    private int[] current;
    /** The last read was not whole: the next one reads the whole picture. */
    private boolean readWhole;
    private int width;
    private int height;
    /** What changed in {@link #current} since the last flush; null when nothing did. */
    private Rectangle dirty;
    private CursorImage pendingCursor;
    private boolean cursorDefined;
    private boolean cursorMoved;
    private boolean pendingCursorPlaced;
    private int pendingCursorX;
    private int pendingCursorY;

    // Painting side, confined to the painting thread.
    private boolean enabled;
    private Scanout scanout;
    private BufferedImage picture;
    private BufferedImage cursorImage;
    private int hotX;
    private int hotY;
    private boolean cursorPlaced;
    private int cursorX;
    private int cursorY;

    /** The scanout's geometry, or {@code null} when it is disabled. */
    boolean scanout(Scanout s) {
        synchronized (lock) {
            pendingScanout = s;
            pendingEnabled = s != null;
            geometryChanged = true;
            // The next frame is copied whole: it may come from another resource.
            current = null;
            dirty = null;
            return askFlush();
        }
    }

    /**
     * The pixels inside {@code dirty} (clipped to the scanout) changed; read and converted now,
     * on the sink's thread. The whole picture is read when it is the first since the scanout was
     * set, its size changed, or the previous read was not whole (the newer update that follows
     * such a read then brings the rest).
     *
     * @throws IllegalArgumentException when the format is not a 2D format
     */
    boolean frame(Pixels pixels, Rect dirty) {
        if (!Formats.isSupported2d(pixels.format())) {
            throw new IllegalArgumentException("not a 2D format: " + Formats.name(pixels.format()));
        }
        int w = pixels.width();
        int h = pixels.height();
        synchronized (lock) {
            Rect area;
            if (current == null || w != width || h != height || readWhole) {
                if (current == null || w != width || h != height) {
                    current = new int[Math.multiplyExact(w, h)];
                }
                width = w;
                height = h;
                area = new Rect(0, 0, w, h);
            } else {
                area = Frames.clip(dirty, w, h);
            }
            int[] into = current;
            readWhole = !pixels.read(f -> Frames.toArgb(f, area, into));
            if (readWhole) {
                return false;
            }
            Rectangle r = new Rectangle(area.x(), area.y(), area.width(), area.height());
            if (!r.isEmpty()) {
                this.dirty = this.dirty == null ? r : this.dirty.union(r);
            }
            if (!pendingEnabled) {
                // A frame without a scanout set first still shows.
                pendingEnabled = true;
                geometryChanged = true;
            }
            return askFlush();
        }
    }

    /**
     * A new cursor picture, or {@code null} to hide the cursor.
     *
     * @throws IllegalArgumentException when the picture has fewer pixels than its size says
     */
    boolean cursor(CursorImage cursor) {
        if (cursor != null && !Cursors.complete(cursor)) {
            throw new IllegalArgumentException("cursor " + cursor.width() + "x" + cursor.height() + " with "
                    + (cursor.argb() == null ? 0 : cursor.argb().length) + " pixels");
        }
        synchronized (lock) {
            pendingCursor = cursor;
            cursorDefined = true;
            return askFlush();
        }
    }

    /** The cursor's hot spot is now at ({@code x}, {@code y}) in scanout coordinates. */
    boolean moveCursor(int x, int y) {
        synchronized (lock) {
            pendingCursorPlaced = true;
            pendingCursorX = x;
            pendingCursorY = y;
            cursorMoved = true;
            return askFlush();
        }
    }

    private boolean askFlush() {
        if (flushAsked) {
            return false;
        }
        flushAsked = true;
        return true;
    }

    /** Painting side: takes everything pending since the last flush. */
    Flushed flush() {
        boolean geometry;
        boolean pictureChanged = false;
        boolean defined;
        boolean moved;
        CursorImage newCursor;
        synchronized (lock) {
            flushAsked = false;
            geometry = geometryChanged;
            geometryChanged = false;
            if (geometry) {
                enabled = pendingEnabled;
                scanout = pendingScanout;
            }
            if (!enabled) {
                picture = null;
            }
            if (dirty != null) {
                Rectangle r = dirty;
                if (picture == null || picture.getWidth() != width || picture.getHeight() != height) {
                    picture = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
                    r = new Rectangle(0, 0, width, height);
                    geometry = true;
                }
                // Copied under the lock, since the sink's thread writes current; only the changed rows and columns.
                int[] to = ((DataBufferInt) picture.getRaster().getDataBuffer()).getData();
                for (int y = r.y; y < r.y + r.height; y++) {
                    System.arraycopy(current, y * width + r.x, to, y * width + r.x, r.width);
                }
                dirty = null;
                pictureChanged = true;
            }
            defined = cursorDefined;
            cursorDefined = false;
            moved = cursorMoved;
            cursorMoved = false;
            newCursor = pendingCursor;
            cursorPlaced = pendingCursorPlaced;
            cursorX = pendingCursorX;
            cursorY = pendingCursorY;
        }
        if (defined) {
            cursorImage = null;
            hotX = 0;
            hotY = 0;
            if (newCursor != null) {
                cursorImage = Cursors.toImage(newCursor);
                hotX = newCursor.hotX();
                hotY = newCursor.hotY();
            }
        }
        return new Flushed(geometry, pictureChanged, defined || moved);
    }

    /** Painting side: whether there is anything to show (a scanout set, or a frame given). */
    boolean enabled() {
        return enabled;
    }

    /** Painting side: the picture's size in scanout pixels, 0 x 0 before the first frame or geometry. */
    Dimension size() {
        if (picture != null) {
            return new Dimension(picture.getWidth(), picture.getHeight());
        }
        return scanout != null ? new Dimension(scanout.width(), scanout.height()) : new Dimension(0, 0);
    }

    /**
     * Painting side: draws the picture {@code scale} times its size at (0, 0), then the cursor
     * with its hot spot on the cursor position. Areas without picture stay as they are.
     */
    void paint(Graphics2D g, double scale) {
        Graphics2D g2 = (Graphics2D) g.create();
        try {
            // Nearest neighbour when enlarging keeps guest pixels sharp; smoothing when shrinking keeps text legible.
            g2.setRenderingHint(RenderingHints.KEY_INTERPOLATION, scale >= 1
                    ? RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR : RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g2.scale(scale, scale);
            if (picture == null) {
                return;
            }
            g2.clipRect(0, 0, picture.getWidth(), picture.getHeight());
            g2.drawImage(picture, 0, 0, null);
            if (cursorImage != null && cursorPlaced) {
                g2.drawImage(cursorImage, cursorX - hotX, cursorY - hotY, null);
            }
        } finally {
            g2.dispose();
        }
    }
}
