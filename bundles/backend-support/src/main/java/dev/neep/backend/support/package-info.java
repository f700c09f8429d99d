/**
 * What the backends over a native library (virgl, rutabaga) share, so each holds only its
 * library's calls: {@link dev.neep.backend.support.OwnerThread} (every call of an instance on
 * one thread), {@link dev.neep.backend.support.LoadedLibrary} (loading with a reason instead of
 * a crash), {@link dev.neep.backend.support.LibrarySearch} (where to look for it) and
 * {@link dev.neep.backend.support.ProviderGate} (the provider enabled only when its configuration
 * is accepted and the library loaded), {@link dev.neep.backend.support.FenceTimelines} (pending
 * fences per timeline), {@link dev.neep.backend.support.Iovecs} ({@code struct iovec} arrays
 * over guest buffers) and {@link dev.neep.backend.support.ReadBack} (where a resource is read
 * back for display, held pictures kept as they are); and reading what their configurations share:
 * {@link dev.neep.backend.support.CapsetNames}, {@link dev.neep.backend.support.Wsi} and
 * {@link dev.neep.backend.support.CheckedSettings}.
 * {@link dev.neep.backend.support.OwnerThread.NativeCall} is the backend's own code, run on
 * the owner thread ({@code @ConsumerType}).
 */
@Export
@Version("1.1.0")
package dev.neep.backend.support;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
