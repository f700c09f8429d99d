/**
 * The driver side of a split virtqueue, in Java: what a guest's virtio driver does with
 * guest memory (lay out the rings, add descriptor chains, publish them, read the used
 * ring, suppress notifications), for tests of devices and transports and for the other
 * testkits' guest-side drivers. Test support: a device never uses it, and no production
 * bundle exports it.
 */
@Export
@Version("1.0.0")
package dev.neep.virtio.driver;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
