package dev.neep.display.support;

import dev.neep.gpu.api.CursorImage;
import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.api.Frame;
import dev.neep.gpu.api.Scanout;
import dev.neep.gpu.protocol.Rect;

/**
 * A {@link DisplaySink} that hands every call to another: the base of a DS component that is
 * a thin shell over a plain sink it builds when activated.
 */
public abstract class ForwardingDisplaySink implements DisplaySink {

    /** The sink calls go to; DS calls none of the sink methods before activation has made it. */
    protected abstract DisplaySink sink();

    @Override
    public void scanoutChanged(int scanoutId, Scanout scanout) {
        sink().scanoutChanged(scanoutId, scanout);
    }

    @Override
    public void frameUpdated(int scanoutId, Rect dirty, Frame frame) {
        sink().frameUpdated(scanoutId, dirty, frame);
    }

    @Override
    public void cursorDefined(int scanoutId, CursorImage cursor) {
        sink().cursorDefined(scanoutId, cursor);
    }

    @Override
    public void cursorMoved(int scanoutId, int x, int y) {
        sink().cursorMoved(scanoutId, x, y);
    }
}
