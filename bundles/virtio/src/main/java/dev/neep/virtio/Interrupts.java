package dev.neep.virtio;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * How a device tells the driver that something happened: the transport's side of it
 * (an MSI-X vector, a call eventfd, a vhost-user message). Safe to call from any thread.
 */
@ConsumerType
public interface Interrupts {

    /** The used ring of queue {@code queueIndex} has new entries the driver asked to hear of. */
    void signalQueue(int queueIndex);

    /** The device configuration space changed (virtio 1.2 §4.1.4.5 ISR bit 1). */
    void signalConfigChange();
}
