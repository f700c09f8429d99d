/**
 * The pure-Java 2D backend. In a framework nothing needs this package: the bundle registers
 * the backend's {@link dev.neep.gpu.api.GpuBackendProvider} with {@code neep.backend=2d}.
 * It is exported on purpose for embedding without OSGi: a VMM that makes its device with
 * {@code dev.neep.gpu.device.VirtioGpu.create} needs a provider to hand it, and the 2D
 * backend is the default one ({@link dev.neep.backend2d.Backend2d#provider}); a test
 * backend may wrap a 2D instance ({@link dev.neep.backend2d.Backend2d#open}). The backend's
 * workings stay private.
 */
@Export
@Version("1.1.0")
package dev.neep.backend2d;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
