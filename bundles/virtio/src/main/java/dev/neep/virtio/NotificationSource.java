package dev.neep.virtio;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A transport's available buffer notifications (virtio 1.2 §2.7.23, "the driver notifies the
 * device"), offered to a device whose own thread waits for them, so that a notification reaches
 * the device on the thread that serves it rather than being handed over from a thread of the
 * transport: one wake-up per notification instead of two, as a QEMU back end's single main loop
 * has it. A transport whose notifications arrive on descriptors (vhost-user's kick eventfds)
 * offers one through {@link VirtioDevice#waitIn}.
 *
 * <p>Threading: one thread at a time calls {@link #await}, and it is the thread that then gets
 * {@link VirtioDevice#queueNotify} calls from it; {@link #wakeUp} comes from any thread, and
 * also after the source was closed, where it does nothing.
 */
@ConsumerType
public interface NotificationSource {

    /**
     * Waits until the driver notified a queue, {@link #wakeUp} was called, or {@code timeoutNanos}
     * passed (negative: no limit), then calls {@link VirtioDevice#queueNotify} on the calling
     * thread for each queue notified meanwhile.
     *
     * @return false once the transport has closed this source (its front end left): the caller
     *         waits some other way from then on and does not call it again
     */
    boolean await(long timeoutNanos);

    /** Ends the {@link #await} in progress, or makes the next one return at once. Any thread. */
    void wakeUp();
}
