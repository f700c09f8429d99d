/**
 * The virtio-gpu device from outside: {@link dev.neep.gpu.device.VirtioGpu}, the device as a
 * plain object for a VMM that embeds neep without OSGi (and for other bundles' tests), made
 * from a {@link dev.neep.gpu.device.DeviceConfig}; and what the device offers in a framework
 * besides its {@code dev.neep.virtio.VirtioDevice} service: its accounting for tests and
 * monitoring ({@link dev.neep.gpu.device.GpuDeviceInfo}) and how its display modes are decided
 * ({@link dev.neep.gpu.device.GpuDisplayControl}); and the SPI through which virtio-vga shows
 * the firmware's picture on the device's scanout 0 until the driver takes over
 * ({@link dev.neep.gpu.device.VgaScanout}).
 *
 * <p>Every interface here is implemented by this bundle and called by others, so
 * {@code @ProviderType} (see gpu-api's package documentation for the rule), except
 * {@link dev.neep.gpu.device.FrontEndDisplays}, the SPI a transport implements to let its front
 * end decide the geometry: a {@code @ConsumerType}.
 */
@Export
@Version("1.2.0")
package dev.neep.gpu.device;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
