/**
 * What the backends over a native library (virgl, rutabaga) share, so each holds only its
 * library's calls: {@link dev.neep.backend.support.OwnerThread} (every call of an instance on
 * one thread), {@link dev.neep.backend.support.LoadedLibrary} (loading with a reason instead of
 * a crash) and {@link dev.neep.backend.support.ProviderGate} (the provider enabled only when the
 * library loaded), {@link dev.neep.backend.support.FenceTimelines} (pending fences per timeline)
 * and {@link dev.neep.backend.support.Iovecs} ({@code struct iovec} arrays over guest buffers).
 */
@Export
@Version("0.1.0")
package dev.neep.backend.support;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
