package dev.neep.gpu.device.internal;

import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.api.Pixels;
import dev.neep.gpu.api.Scanout;
import dev.neep.gpu.protocol.Rect;
import dev.neep.virtio.OnceLog;
import java.util.ArrayList;
import java.util.List;

/**
 * The display sinks bound to one device: each behind a {@link SinkLane} of its own, which calls
 * it from its own thread, so the device thread only records what happened and goes on.
 *
 * <p>Confined to the device thread.
 */
final class SinkHub implements SinkCalls {
    private final List<SinkLane> lanes = new ArrayList<>();
    private final String device;
    private final OnceLog log;

    /** {@code device}: the device's name, which the sinks are told with every scanout. */
    SinkHub(String device, OnceLog log) {
        this.device = device;
        this.log = log;
    }

    /** Binds {@code sink}; its lane, to bring it up to date, or null when it was bound already. */
    SinkLane add(DisplaySink sink) {
        if (lane(sink) != null) {
            return null;
        }
        SinkLane lane = new SinkLane(sink, device, log);
        lanes.add(lane);
        return lane;
    }

    /** Unbinds {@code sink}; its lane, stopped, for the caller to await off the device thread; null if unbound. */
    SinkLane remove(DisplaySink sink) {
        SinkLane lane = lane(sink);
        if (lane != null) {
            lanes.remove(lane);
            lane.stop();
        }
        return lane;
    }

    void clearAll() {
        for (SinkLane lane : lanes) {
            lane.stop();
        }
        lanes.clear();
    }

    /** The lanes, for waiting on them off the device thread. */
    List<SinkLane> lanes() {
        return List.copyOf(lanes);
    }

    int size() {
        return lanes.size();
    }

    boolean isEmpty() {
        return lanes.isEmpty();
    }

    @Override
    public void scanoutChanged(int scanout, Scanout state) {
        for (SinkLane lane : lanes) {
            lane.scanoutChanged(scanout, state);
        }
    }

    @Override
    public void frameUpdated(int scanout, Rect dirty, Pixels pixels) {
        for (SinkLane lane : lanes) {
            lane.frameUpdated(scanout, dirty, pixels);
        }
    }

    @Override
    public void cursorDefined(int scanout, CursorPicture cursor) {
        for (SinkLane lane : lanes) {
            lane.cursorDefined(scanout, cursor);
        }
    }

    @Override
    public void cursorMoved(int scanout, int x, int y) {
        for (SinkLane lane : lanes) {
            lane.cursorMoved(scanout, x, y);
        }
    }

    private SinkLane lane(DisplaySink sink) {
        for (SinkLane lane : lanes) {
            if (lane.sink() == sink) {
                return lane;
            }
        }
        return null;
    }
}
