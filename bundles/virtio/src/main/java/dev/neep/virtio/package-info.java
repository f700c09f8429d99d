/**
 * The virtio core: guest memory, the split virtqueue of virtio 1.2 §2.7, and the
 * device SPI that a transport (virtio-pci, vhost-user) drives.
 *
 * <p>Nothing here knows OSGi; every class is built with {@code new} in unit tests.
 *
 * <p>Roles (see gpu-api's package documentation for the rule): the core and the transports
 * call what devices, VMMs and transports bring, so {@link dev.neep.virtio.VirtioDevice}
 * (implemented by every device), {@link dev.neep.virtio.GuestMemory} (a VMM may bring its
 * own), {@link dev.neep.virtio.Interrupts}, {@link dev.neep.virtio.NotificationSource} and
 * {@link dev.neep.virtio.VirtioTransportCore.Transport} (implemented by transports) are
 * {@code @ConsumerType};
 * {@link dev.neep.virtio.ChainReader} and {@link dev.neep.virtio.ChainWriter} are the core's
 * own, handed to devices, and so {@code @ProviderType}.
 *
 * <p>Shared memory regions (virtio 1.2 §2.10): a device that maps host memory into its
 * driver's address space implements {@link dev.neep.virtio.SharedMemoryDevice} besides
 * {@link dev.neep.virtio.VirtioDevice}, and is handed each {@link dev.neep.virtio.SharedMemoryRegion}
 * its transport can provide (both {@code @ConsumerType}: devices implement the one, transports
 * the other) before activation; what it maps is a sealed {@link dev.neep.virtio.MappingSource}.
 *
 * <p>Notifications: a transport calls {@link dev.neep.virtio.VirtioDevice#queueNotify} from a
 * thread of its own, or, when the device {@linkplain dev.neep.virtio.VirtioDevice#waitIn takes}
 * a {@link dev.neep.virtio.NotificationSource}, from the device's own thread waiting in it.
 */
@Export
@Version("1.2.0")
package dev.neep.virtio;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
