package dev.neep.gpu.device.internal.osgi;

import dev.neep.gpu.device.DeviceConfig;
import org.osgi.service.component.annotations.ComponentPropertyType;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The configuration of the virtio-gpu device, PID {@value #PID}: its metatype, the typed
 * interface the component reads its properties as ({@code TypedConfiguration}), and, as a
 * component property type on the component, its defaults as component properties, so the
 * service and the runtime's DTOs show the settings in effect. Property names are QEMU's device
 * properties ({@code max_outputs}, {@code xres}, ...); a double underscore in a method name is
 * one underscore in the property name (OSGi's mapping).
 *
 * <p>Besides these, the configuration may hold {@code backend.target}, the DS reference
 * target filter that {@code backend} is the shorthand for (see {@link BackendTargetPlugin}).
 */
@ComponentPropertyType
@ObjectClassDefinition(id = GpuDeviceConfig.PID, name = "neep virtio-gpu device",
        description = "A virtio-gpu device modelled on QEMU's virtio-gpu: outputs, modes, EDID, host memory limit"
                + " and which rendering backend to bind. The backend's own settings (capsets, window-system"
                + " integration, libraries) are in its own configuration, dev.neep.backend.<kind>. Every setting may"
                + " change while the device runs: the backend at once (it is swapped, the guest's resources"
                + " released, and the guest told by a configuration interrupt), outputs, modes, EDID and host"
                + " memory limit when the driver next resets the device.")
public @interface GpuDeviceConfig {

    String PID = DeviceConfig.PID;

    /** The kind bound when the configuration names none: the pure-Java 2D backend. */
    String DEFAULT_BACKEND = "2d";

    @AttributeDefinition(name = "Outputs", min = "1", max = "16",
            description = "Scanouts the device offers (QEMU max_outputs), 1 to 16. Default 1.")
    int max__outputs() default DeviceConfig.DEFAULT_MAX_OUTPUTS;

    @AttributeDefinition(name = "Width", min = "16", max = "4095",
            description = "Preferred width of every output in pixels (QEMU xres), 16 to 4095. Default 1024.")
    int xres() default DeviceConfig.DEFAULT_XRES;

    @AttributeDefinition(name = "Height", min = "16", max = "4095",
            description = "Preferred height of every output in pixels (QEMU yres), 16 to 4095. Default 768.")
    int yres() default DeviceConfig.DEFAULT_YRES;

    @AttributeDefinition(name = "EDID",
            description = "Offer VIRTIO_GPU_F_EDID and answer GET_EDID with a generated EDID (QEMU edid)."
                    + " Default true.")
    boolean edid() default DeviceConfig.DEFAULT_EDID;

    @AttributeDefinition(name = "Host memory limit", min = "1",
            description = "Bytes of host memory guest resources may use (QEMU max_hostmem); beyond it creates"
                    + " fail with RESP_ERR_OUT_OF_MEMORY. Default 256 MiB.")
    long max__hostmem() default DeviceConfig.DEFAULT_MAX_HOSTMEM;

    @AttributeDefinition(name = "Host-visible region", min = "0",
            description = "Bytes of the host-visible shared memory region (id 1) host blobs are mapped into"
                    + " (QEMU hostmem): 0 for none, then no host blob can be mapped; else a power of two of at"
                    + " least 4096. An in-process PCI function sizes its BAR by it when it is made. Default 0.")
    long hostmem() default DeviceConfig.DEFAULT_HOSTMEM;

    @AttributeDefinition(name = "Backend",
            description = "Which GpuBackendProvider to bind: the one whose neep.backend service property has this"
                    + " value (2d, or any kind a backend bundle brings): letters, digits, '.', '_' and '-'. It is the"
                    + " shorthand for backend.target=(neep.backend=<kind>); set that filter instead to choose a"
                    + " provider by any of its properties. Changing it while the device runs swaps the backend;"
                    + " with no provider of that kind the device waits for one. Default 2d.")
    String backend() default DEFAULT_BACKEND;
}
