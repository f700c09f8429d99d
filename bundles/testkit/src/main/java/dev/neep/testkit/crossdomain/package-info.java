/**
 * A guest's cross-domain Wayland proxy in plain Java, over {@link dev.neep.testkit.GpuDriver}:
 * rutabaga's {@code cross_domain_protocol} commands ({@code INIT}, {@code GET_IMAGE_REQUIREMENTS},
 * {@code POLL}, {@code SEND}, {@code RECEIVE}), the replies the host writes into the guest's
 * rings, and a minimal Wayland wire encoder and decoder for the messages carried through the
 * channel. Nothing here knows OSGi.
 */
@Export
@Version("1.0.0")
package dev.neep.testkit.crossdomain;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
