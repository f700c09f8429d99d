/**
 * A generic vhost-user back-end: {@link dev.neep.vhostuser.VhostUserServer} serves any
 * {@code dev.neep.virtio.VirtioDevice} to a front end over a unix socket, and a
 * {@link dev.neep.vhostuser.DeviceExtension} adds what one device type needs beyond the
 * generic protocol (the GPU's display channel, say). Nothing here knows OSGi.
 */
@Export
@Version("0.1.0")
package dev.neep.vhostuser;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
