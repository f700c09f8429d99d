/**
 * The two service contracts of neep: {@link dev.neep.gpu.api.GpuBackendProvider} /
 * {@link dev.neep.gpu.api.GpuBackend} (a rendering backend shaped like the rutabaga_gfx
 * API) and {@link dev.neep.gpu.api.DisplaySink} (where scanouts go), with
 * {@link dev.neep.gpu.api.Frames} for sinks that read a frame's pixels as ARGB.
 */
@Export
@Version("1.0.0")
package dev.neep.gpu.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
