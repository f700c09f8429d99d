/**
 * What the virtio-gpu device offers besides {@code dev.neep.virtio.VirtioDevice}: its
 * accounting for tests and monitoring ({@link dev.neep.gpu.device.GpuDeviceInfo}) and the
 * display-mode requests of a front end ({@link dev.neep.gpu.device.GpuDisplayControl}).
 */
@Export
@Version("0.1.0")
package dev.neep.gpu.device;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
