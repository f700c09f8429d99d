/**
 * The two service contracts of neep: {@link dev.neep.gpu.api.GpuBackendProvider} /
 * {@link dev.neep.gpu.api.GpuBackend} (a rendering backend shaped like the rutabaga_gfx
 * API) and {@link dev.neep.gpu.api.DisplaySink} (where scanouts go, told which device's
 * scanout by a {@link dev.neep.gpu.api.ScanoutId}, reading pixels through
 * {@link dev.neep.gpu.api.Pixels}), with {@link dev.neep.gpu.api.Frames} for sinks that read a
 * frame's pixels as ARGB.
 *
 * <p>Version 2 changed the display contract: sinks are called off the device's thread and read
 * the pixels themselves, when they like, instead of during the call. Version 2.1 lets a backend
 * hold a flushed picture unchanged ({@link dev.neep.gpu.api.GpuBackend#hold}), so that every
 * flushed picture reaches a sink that keeps up.
 *
 * <h2>Who implements what</h2>
 * Every interface of neep's API says which side implements it, by bnd's rule for semantic
 * versioning. A type the <em>provider</em> of an API implements (the side that gives the
 * function; the others only call it) is {@code @ProviderType}: a method added later is a
 * minor change, and its implementers, which import the package for one minor version only,
 * move with the API. A type the API's <em>consumers</em> implement (plug-ins, listeners) is
 * {@code @ConsumerType}: a method added later breaks every implementer, so it is a major
 * change. Here the device provides and the backends and sinks plug into it, as event handlers
 * plug into Event Admin: {@link dev.neep.gpu.api.GpuBackendProvider},
 * {@link dev.neep.gpu.api.GpuBackend} and {@link dev.neep.gpu.api.DisplaySink} are consumer
 * types, implemented by any bundle (a third party's included) and called by the device;
 * {@link dev.neep.gpu.api.FenceListener} and {@link dev.neep.gpu.api.Pixels} are provider types,
 * the device's own objects that the backends and sinks call.
 */
@Export
@Version("2.1.0")
package dev.neep.gpu.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
