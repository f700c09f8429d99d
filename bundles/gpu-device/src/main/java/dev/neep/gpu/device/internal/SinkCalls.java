package dev.neep.gpu.device.internal;

import dev.neep.gpu.api.Pixels;
import dev.neep.gpu.api.Scanout;
import dev.neep.gpu.protocol.Rect;

/** What the device tells sinks, by scanout number: to every sink ({@link SinkHub}) or to one ({@link SinkLane}). */
interface SinkCalls {

    void scanoutChanged(int scanout, Scanout state);

    void frameUpdated(int scanout, Rect dirty, Pixels pixels);

    /** {@code cursor}: null hides it; a receiver that keeps it past the call adds a hold of its own. */
    void cursorDefined(int scanout, CursorPicture cursor);

    void cursorMoved(int scanout, int x, int y);
}
