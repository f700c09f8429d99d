package dev.neep.testkit;

import dev.neep.gpu.api.Frame;
import dev.neep.gpu.api.Pixels;
import java.util.function.Consumer;

/**
 * For a sink's tests: pixels whose every read is torn, as when the device changed them while
 * the sink read and a newer {@code frameUpdated} is on its way. The reader gets the pixels of
 * the picture it was made of, and {@link #read} returns {@code false}.
 */
public final class TornPixels implements Pixels {
    private final Pixels under;

    /** Pixels that read as {@code under} does, each read torn. */
    public TornPixels(Pixels under) {
        this.under = under;
    }

    @Override
    public int format() {
        return under.format();
    }

    @Override
    public int width() {
        return under.width();
    }

    @Override
    public int height() {
        return under.height();
    }

    @Override
    public boolean read(Consumer<Frame> reader) {
        under.read(reader);
        return false;
    }
}
