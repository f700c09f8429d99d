package dev.neep.display.support;

import dev.neep.gpu.api.CursorImage;
import java.awt.image.BufferedImage;

/** Checking and drawing a {@link CursorImage}. */
public final class Cursors {

    private Cursors() {
    }

    /** Whether the cursor has a size and at least as many pixels as its size says. */
    public static boolean complete(CursorImage cursor) {
        return cursor.width() > 0 && cursor.height() > 0 && cursor.argb() != null
                && cursor.argb().length >= (long) cursor.width() * cursor.height();
    }

    /** A new ARGB image of the cursor's pixels; the cursor must be {@link #complete}. */
    public static BufferedImage toImage(CursorImage cursor) {
        BufferedImage image = new BufferedImage(cursor.width(), cursor.height(), BufferedImage.TYPE_INT_ARGB);
        image.setRGB(0, 0, cursor.width(), cursor.height(), cursor.argb(), 0, cursor.width());
        return image;
    }
}
