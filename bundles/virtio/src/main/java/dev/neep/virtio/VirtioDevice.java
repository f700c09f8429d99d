package dev.neep.virtio;

import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The device SPI a transport drives: feature negotiation, the device configuration
 * space, queue notifications and reset.
 *
 * <p>Lifecycle: the transport reads {@link #deviceFeatures()}, the driver's choice is
 * given to {@link #activate}, together with the guest memory, the configured queues
 * and the interrupt path. From then on the transport calls {@link #queueNotify} when
 * the driver kicks a queue. {@link #reset()} returns the device to its state before
 * activation and releases everything it holds; it may be called in any state.
 *
 * <p>Threading: the transport may call these methods from its own threads; the device
 * does its work on its own thread and must not block the caller for long.
 */
@ConsumerType
public interface VirtioDevice {

    /** The virtio device id (16 for GPU). */
    int deviceId();

    /** Feature bits the device offers, including transport bits it supports (VERSION_1, EVENT_IDX...). */
    long deviceFeatures();

    /** How many virtqueues the device uses. */
    int queueCount();

    /** The largest size the device accepts for queue {@code queueIndex}. */
    int maxQueueSize(int queueIndex);

    /** Size of the device-specific configuration space in bytes. */
    int configSize();

    /** Reads {@code dst.length} bytes of configuration space from {@code offset}; out of range reads as zero. */
    void readConfig(int offset, byte[] dst);

    /** Writes configuration space; writes to read-only fields are ignored, as the spec allows. */
    void writeConfig(int offset, byte[] src);

    /**
     * The driver set DRIVER_OK: the device starts serving {@code queues} (index order)
     * in {@code memory}, with the features the driver acknowledged.
     */
    void activate(long driverFeatures, GuestMemory memory, List<Virtqueue> queues, Interrupts interrupts);

    /** The driver (or the transport) notified queue {@code queueIndex}. */
    void queueNotify(int queueIndex);

    /** Back to the state before {@link #activate}: every resource, mapping and pending request released. */
    void reset();

    /**
     * Offered by a transport that can let the device's own thread wait for notifications
     * ({@link NotificationSource}). A device that takes it returns true and from then on waits in
     * {@code source} whenever its thread is idle, until the source's {@link NotificationSource#await}
     * returns false; the transport then runs no thread of its own for notifications, so a device
     * that takes a source must keep waiting in it while it serves the transport's queues. A device
     * that returns false (the default) gets {@link #queueNotify} from the transport's threads.
     */
    default boolean waitIn(NotificationSource source) {
        return false;
    }
}
