package dev.neep.gpu.device.internal;

import dev.neep.gpu.api.CursorImage;
import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.api.Frame;
import dev.neep.gpu.api.Scanout;
import dev.neep.gpu.protocol.Rect;
import dev.neep.virtio.OnceLog;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The display sinks bound to one device, and the one place that calls them: each call is
 * guarded so that a sink that throws is logged (once per sink and method) and neither the
 * device nor the other sinks notice.
 *
 * <p>Confined to the device thread: sinks are added and removed there, so every sink sees
 * the calls for one device from one thread, in order.
 */
final class SinkHub {
    private final List<DisplaySink> sinks = new ArrayList<>();
    private final OnceLog log;

    SinkHub(OnceLog log) {
        this.log = log;
    }

    void add(DisplaySink sink) {
        if (!sinks.contains(sink)) {
            sinks.add(sink);
        }
    }

    void remove(DisplaySink sink) {
        sinks.remove(sink);
    }

    void clearAll() {
        sinks.clear();
    }

    int size() {
        return sinks.size();
    }

    boolean isEmpty() {
        return sinks.isEmpty();
    }

    void scanoutChanged(int scanoutId, Scanout scanout) {
        each("scanoutChanged", s -> s.scanoutChanged(scanoutId, scanout));
    }

    void frameUpdated(int scanoutId, Rect dirty, Frame frame) {
        each("frameUpdated", s -> s.frameUpdated(scanoutId, dirty, readOnly(frame)));
    }

    void cursorDefined(int scanoutId, CursorImage cursor) {
        each("cursorDefined", s -> s.cursorDefined(scanoutId, cursor));
    }

    void cursorMoved(int scanoutId, int x, int y) {
        each("cursorMoved", s -> s.cursorMoved(scanoutId, x, y));
    }

    /** Calls {@code call} on one sink only: a sink that binds late is brought up to date alone. */
    void to(DisplaySink sink, String method, Consumer<DisplaySink> call) {
        guarded(sink, method, call);
    }

    static Frame readOnly(Frame f) {
        // Every sink gets its own read-only view: one sink moving the position cannot shift another's pixels.
        return new Frame(f.format(), f.width(), f.height(), f.stride(),
                f.pixels().asReadOnlyBuffer().order(f.pixels().order()));
    }

    private void each(String method, Consumer<DisplaySink> call) {
        for (DisplaySink sink : List.copyOf(sinks)) {
            guarded(sink, method, call);
        }
    }

    private void guarded(DisplaySink sink, String method, Consumer<DisplaySink> call) {
        try {
            call.accept(sink);
        } catch (RuntimeException | LinkageError e) {
            log.host("sink " + sink.getClass().getName() + "@" + Integer.toHexString(System.identityHashCode(sink))
                    + "." + method, "a display sink threw; the device and the other sinks go on", e);
        }
    }
}
