package dev.neep.gpu.api;

import dev.neep.gpu.protocol.Rect;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Where scanouts go: a PNG writer, a window, a web viewer, the vhost-user-gpu channel
 * back to QEMU, or nothing but counters. Registered as an OSGi service; a device binds
 * every sink dynamically.
 *
 * <h2>What the device guarantees</h2>
 * <ul>
 *   <li>Calls for one device come from one thread, in the order things happened.</li>
 *   <li>A sink that binds while a scanout is set gets {@link #scanoutChanged} and a
 *       full-frame {@link #frameUpdated} for it at once.</li>
 *   <li>With a headless backend ({@link GpuBackend#headless()}) the device sends geometry but no pixels.</li>
 * </ul>
 *
 * <h2>What a sink guarantees</h2>
 * <ul>
 *   <li>It returns promptly: slow work (encoding, I/O) happens on a thread of its own,
 *       on a copy of the pixels.</li>
 *   <li>It keeps no reference to a {@link Frame}'s buffer after the call returns.</li>
 *   <li>An exception it throws is logged once by the device and disturbs neither the
 *       device nor other sinks, but it is a bug in the sink.</li>
 * </ul>
 */
@ConsumerType
public interface DisplaySink {

    /**
     * Scanout {@code scanoutId} now shows a {@code scanout.width()} x {@code height()}
     * picture, or is disabled when {@code scanout} is {@code null}.
     */
    void scanoutChanged(int scanoutId, Scanout scanout);

    /**
     * Pixels inside {@code dirty} (scanout coordinates) changed. {@code frame} is the whole
     * scanout, its buffer positioned at the scanout's top-left pixel.
     */
    void frameUpdated(int scanoutId, Rect dirty, Frame frame);

    /** The cursor image changed; {@code null} hides the cursor. */
    default void cursorDefined(int scanoutId, CursorImage cursor) {
    }

    /** The cursor moved to ({@code x}, {@code y}) in scanout coordinates. */
    default void cursorMoved(int scanoutId, int x, int y) {
    }
}
