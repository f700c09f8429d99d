package dev.neep.gpu.api;

import dev.neep.gpu.protocol.Rect;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Where scanouts go: a PNG writer, a window, a web viewer, the vhost-user-gpu channel back to
 * QEMU, or nothing but counters. Registered as an OSGi service; a device binds the sinks its
 * configuration selects (all, by default), dynamically.
 *
 * <p>Each call names its scanout by a {@link ScanoutId}: the device's name and the scanout's
 * number, so a sink bound to several devices (one per guest) tells them apart.
 *
 * <h2>Threads: what the device guarantees</h2>
 * <ul>
 *   <li>The device's command thread never calls a sink. It records what happened and a
 *       dispatcher of this sink's own, one per device the sink is bound to, makes the calls.
 *       Calls about one device come from one thread, in the order things happened; calls about
 *       two devices may come at the same time from two threads.</li>
 *   <li>When the backend holds pictures ({@link GpuBackend#hold}), a sink gets every flushed
 *       picture as it was at its flush, as long as it keeps up: a few updates of a scanout wait
 *       in turn, each with its own picture. When the sink falls further behind, or the pixels
 *       are live (a backend that does not hold), what waits is folded, never queued without
 *       bound: updates merge into one {@link #frameUpdated} (the union of their dirty
 *       rectangles, the newest {@link Pixels}); a geometry change drops the updates of the
 *       geometry it replaces; cursor pictures and positions keep their newest. What the sink
 *       gets last is always what the device shows last.</li>
 *   <li>A sink that is slow, blocks or throws delays only its own dispatcher: neither the
 *       device (its commands, its RESOURCE_FLUSH answers) nor the other sinks wait for it. An
 *       exception is logged once per sink and method, and the calls go on.</li>
 *   <li>A sink that binds while a scanout is set gets {@link #scanoutChanged} and a full-frame
 *       {@link #frameUpdated} for it first, and the current cursor.</li>
 *   <li>Once the device unbinds the sink it starts no further call on it; a call already
 *       running is interrupted and left to end.</li>
 *   <li>With a headless backend ({@link GpuBackend#headless()}) the device sends geometry and
 *       cursor positions, no pixels.</li>
 * </ul>
 *
 * <h2>What a sink guarantees</h2>
 * <ul>
 *   <li>It reads pixels through {@link Pixels#read} only, and keeps no reference to a
 *       {@link Frame} after the reader returns.</li>
 *   <li>It does not call back into the device from a sink call and wait for it.</li>
 *   <li>Throwing is a bug in the sink, not a way to refuse.</li>
 * </ul>
 * A sink may do its slow work (conversion, encoding, I/O) right in its calls, since they run on
 * its own dispatcher; one that wants to pace it, or to keep serving other threads meanwhile,
 * hands it to a worker (display-support's {@code PacedPictures}).
 */
@ConsumerType
public interface DisplaySink {

    /**
     * The service property naming a device: on each device's services, its name; on a sink's,
     * the names of the devices it is for (a string or several), when it is for some only. A
     * device binds every sink without this property, and those that name it.
     */
    String DEVICE_PROPERTY = "neep.device";

    /**
     * Whether a sink whose {@link #DEVICE_PROPERTY} service property is {@code devices} (null
     * when it has none, a string, an array or a collection of names) is for the device named
     * {@code device}.
     */
    static boolean isFor(Object devices, String device) {
        if (devices == null) {
            return true;
        }
        if (devices instanceof String[] names) {
            return java.util.Arrays.asList(names).contains(device);
        }
        if (devices instanceof java.util.Collection<?> names) {
            return names.contains(device);
        }
        return devices.toString().equals(device);
    }

    /**
     * Scanout {@code id} now shows a {@code scanout.width()} x {@code height()} picture, or is
     * disabled when {@code scanout} is {@code null}. The {@link Pixels} of earlier
     * {@code frameUpdated} calls for it no longer read.
     */
    void scanoutChanged(ScanoutId id, Scanout scanout);

    /**
     * Pixels inside {@code dirty} (scanout coordinates, inside the scanout) changed, by a
     * RESOURCE_FLUSH or by several folded into one; {@code pixels} reads them.
     */
    void frameUpdated(ScanoutId id, Rect dirty, Pixels pixels);

    /** The cursor image changed; {@code null} hides the cursor. */
    default void cursorDefined(ScanoutId id, CursorImage cursor) {
    }

    /** The cursor moved to ({@code x}, {@code y}) in scanout coordinates. */
    default void cursorMoved(ScanoutId id, int x, int y) {
    }
}
