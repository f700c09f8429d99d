/**
 * A generic vhost-user back-end: {@link dev.neep.vhostuser.VhostUserServer} serves any
 * {@code dev.neep.virtio.VirtioDevice} to a front end over a unix socket, and a
 * {@link dev.neep.vhostuser.DeviceExtension} adds what one device type needs beyond the
 * generic protocol (the GPU's display channel, say). Nothing here knows OSGi.
 *
 * <p>Roles (see gpu-api's package documentation for the rule): a device type's extension
 * implements {@link dev.neep.vhostuser.DeviceExtension} and
 * {@link dev.neep.vhostuser.DeviceSession}, which the server calls ({@code @ConsumerType});
 * the server implements {@link dev.neep.vhostuser.BackendChannel}, which extensions call
 * ({@code @ProviderType}).
 */
@Export
@Version("1.0.0")
package dev.neep.vhostuser;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
