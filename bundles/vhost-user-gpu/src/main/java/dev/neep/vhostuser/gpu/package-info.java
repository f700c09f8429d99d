/**
 * vhost-user-gpu: the virtio GPU's extension of the generic vhost-user back-end
 * ({@link dev.neep.vhostuser.gpu.VhostUserGpu}) and the listener told when a front end's
 * display channel comes and goes ({@link dev.neep.vhostuser.gpu.DisplayChannelListener}).
 * Plain Java; the DS component that wires the GPU device service to a server is internal.
 * {@link dev.neep.vhostuser.gpu.DisplayChannelListener} is implemented by whoever wires the
 * extension (the bundle's component, an embedder, a test) and called by it: a
 * {@code @ConsumerType}.
 */
@Export
@Version("1.1.0")
package dev.neep.vhostuser.gpu;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
