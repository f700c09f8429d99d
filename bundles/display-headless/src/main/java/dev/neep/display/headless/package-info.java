/**
 * A display sink that shows nothing and remembers what it was shown: frames per scanout and
 * the facts of the last one, including a CRC32 of its pixels. Tests read them through the
 * {@link dev.neep.display.headless.HeadlessDisplay} service, registered beside the sink's
 * {@code DisplaySink} service; the sink itself is the bundle's own.
 * {@link dev.neep.display.headless.HeadlessDisplay} is implemented here and called by tests
 * ({@code @ProviderType}).
 */
@Export
@Version("1.1.0")
package dev.neep.display.headless;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
