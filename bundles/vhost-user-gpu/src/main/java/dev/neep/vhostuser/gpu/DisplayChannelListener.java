package dev.neep.vhostuser.gpu;

import java.util.Map;

import dev.neep.gpu.api.DisplaySink;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Told when a front end's display channel (vhost-user-gpu) is ready to show scanouts and
 * when it is gone: the DS component registers the sink as an OSGi service in between.
 * Called from the channel's own thread, never with a lock of the transport held.
 */
@ConsumerType
public interface DisplayChannelListener {

    /** Nothing listens: the channel still serves the front end, but no device will draw on it. */
    DisplayChannelListener NONE = new DisplayChannelListener() {
        @Override
        public void channelUp(DisplaySink sink, Map<String, Object> properties) {
        }

        @Override
        public void channelDown(DisplaySink sink) {
        }
    };

    /** {@code sink} shows scanouts in the front end's display; {@code properties} describe it. */
    void channelUp(DisplaySink sink, Map<String, Object> properties);

    /** {@code sink} is gone; calls on it are ignored from now on. */
    void channelDown(DisplaySink sink);
}
