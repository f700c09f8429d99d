package dev.neep.display.support;

import dev.neep.gpu.api.CursorImage;
import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.api.Pixels;
import dev.neep.gpu.api.Scanout;
import dev.neep.gpu.api.ScanoutId;
import dev.neep.gpu.protocol.Rect;

/**
 * A {@link DisplaySink} that hands every call to another: the base of a DS component that is
 * a thin shell over a plain sink it builds when activated.
 */
public abstract class ForwardingDisplaySink implements DisplaySink {

    /** The sink calls go to; DS calls none of the sink methods before activation has made it. */
    protected abstract DisplaySink sink();

    @Override
    public void scanoutChanged(ScanoutId id, Scanout scanout) {
        sink().scanoutChanged(id, scanout);
    }

    @Override
    public void frameUpdated(ScanoutId id, Rect dirty, Pixels pixels) {
        sink().frameUpdated(id, dirty, pixels);
    }

    @Override
    public void cursorDefined(ScanoutId id, CursorImage cursor) {
        sink().cursorDefined(id, cursor);
    }

    @Override
    public void cursorMoved(ScanoutId id, int x, int y) {
        sink().cursorMoved(id, x, y);
    }
}
