/**
 * The virtio core: guest memory, the split virtqueue of virtio 1.2 §2.7, and the
 * device SPI that a transport (virtio-pci, vhost-user) drives.
 *
 * <p>Nothing here knows OSGi; every class is built with {@code new} in unit tests.
 */
@Export
@Version("0.2.0")
package dev.neep.virtio;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
