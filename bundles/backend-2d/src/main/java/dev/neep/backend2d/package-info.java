/**
 * The pure-Java 2D backend, usable on its own by an embedder without OSGi
 * ({@link dev.neep.backend2d.Backend2d#open}); in a framework its provider registers as a
 * {@link dev.neep.gpu.api.GpuBackendProvider} with {@code neep.backend=2d}.
 */
@Export
@Version("1.0.0")
package dev.neep.backend2d;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
