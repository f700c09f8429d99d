/**
 * The front-end side of vhost-user as QEMU plays it, in Java, test support for back ends'
 * tests and integrators: a real unix socket, guest RAM in a memfd both sides map, eventfds for
 * kicks and calls, the driver's view of the rings, and VIRTIO shared memory regions whose
 * mappings a test reads and writes ({@link dev.neep.vhostuser.frontend.FrontEndSharedMemory}).
 * A back end never uses it, and no production bundle exports it.
 */
@Export
@Version("1.1.0")
package dev.neep.vhostuser.frontend;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
