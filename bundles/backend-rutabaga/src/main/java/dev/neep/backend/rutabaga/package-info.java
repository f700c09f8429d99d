/**
 * The rutabaga backend's settings ({@link dev.neep.backend.rutabaga.RutabagaOptions}), for
 * whoever builds a {@link dev.neep.gpu.api.BackendConfig} for it: QEMU's
 * {@code virtio-gpu-rutabaga} properties and how they are read.
 */
@Export
@Version("0.1.0")
package dev.neep.backend.rutabaga;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
