package dev.neep.gpu.device.internal.osgi;

import dev.neep.gpu.device.internal.DeviceConfig;
import org.osgi.service.component.annotations.ComponentPropertyType;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * The configuration of the virtio-gpu device, PID {@value #PID}: its metatype, and (as a
 * component property type on the component) its defaults as component properties, so the
 * service and the runtime's DTOs show the settings in effect. The component reads the
 * dictionary itself with {@link DeviceConfig#fromProperties}, whose defaults these are.
 * Property names are QEMU's device properties where one exists ({@code max_outputs},
 * {@code xres}, ...); a double underscore in a method name is one underscore in the property
 * name, {@code $_$} a hyphen (OSGi's mapping).
 *
 * <p>Every property may change while the device runs. The backend settings apply at once
 * (the backend is reopened or swapped: the guest's resources are released and it gets a
 * configuration-change interrupt); the outputs, modes, EDID and host memory limit apply when
 * the driver next resets the device, as a driver only reads them then.
 */
@ComponentPropertyType
@ObjectClassDefinition(id = GpuDeviceConfig.PID, name = "neep virtio-gpu device",
        description = "A virtio-gpu device modelled on QEMU's virtio-gpu-rutabaga: outputs, host memory limit,"
                + " capsets, window-system integration and which rendering backend to bind. Every setting may"
                + " change while the device runs: the backend settings at once (the backend is reopened or"
                + " swapped, the guest's resources released, and the guest told by a configuration interrupt),"
                + " outputs, modes, EDID and host memory limit when the driver next resets the device.")
public @interface GpuDeviceConfig {

    String PID = "dev.neep.gpu";

    @AttributeDefinition(name = "Outputs", min = "1", max = "16",
            description = "Scanouts the device offers (QEMU max_outputs), 1 to 16.")
    int max__outputs() default DeviceConfig.DEFAULT_MAX_OUTPUTS;

    @AttributeDefinition(name = "Width", min = "16", max = "4095",
            description = "Preferred width of every output in pixels (QEMU xres), 16 to 4095.")
    int xres() default DeviceConfig.DEFAULT_XRES;

    @AttributeDefinition(name = "Height", min = "16", max = "4095",
            description = "Preferred height of every output in pixels (QEMU yres), 16 to 4095.")
    int yres() default DeviceConfig.DEFAULT_YRES;

    @AttributeDefinition(name = "EDID",
            description = "Offer VIRTIO_GPU_F_EDID and answer GET_EDID with a generated EDID (QEMU edid).")
    boolean edid() default DeviceConfig.DEFAULT_EDID;

    @AttributeDefinition(name = "Host memory limit", min = "1",
            description = "Bytes of host memory guest resources may use (QEMU max_hostmem); beyond it creates"
                    + " fail with RESP_ERR_OUT_OF_MEMORY. Default 256 MiB.")
    long max__hostmem() default DeviceConfig.DEFAULT_MAX_HOSTMEM;

    @AttributeDefinition(name = "Capsets", required = false,
            description = "Colon-separated capset names the backend should offer (QEMU capset_names), e.g."
                    + " 'virgl:virgl2' or 'gfxstream-vulkan:cross-domain'. Empty: what the backend offers by"
                    + " default: virgl and virgl2 for backend virgl (as QEMU's virtio-gpu-gl), none for 2d, and for"
                    + " rutabaga those its boolean capset properties switch on (none: rutabaga's 2D component).")
    String capset__names() default "";

    @AttributeDefinition(name = "gfxstream Vulkan", required = false,
            description = "Offer capset gfxstream-vulkan (upstream QEMU's virtio-gpu-rutabaga property);"
                    + " rutabaga only.")
    boolean gfxstream$_$vulkan() default false;

    @AttributeDefinition(name = "gfxstream GLES", required = false,
            description = "Offer capset gfxstream-gles (upstream QEMU's virtio-gpu-rutabaga property); rutabaga only.")
    boolean gfxstream$_$gles() default false;

    @AttributeDefinition(name = "gfxstream composer", required = false,
            description = "Offer capset gfxstream-composer (upstream QEMU's virtio-gpu-rutabaga property);"
                    + " rutabaga only.")
    boolean gfxstream$_$composer() default false;

    @AttributeDefinition(name = "Cross-domain", required = false,
            description = "Offer capset cross-domain (upstream QEMU's virtio-gpu-rutabaga property); rutabaga only."
                    + " It needs the host Wayland socket (wayland_socket_path).")
    boolean cross$_$domain() default false;

    @AttributeDefinition(name = "Window-system integration",
            options = {@Option(label = "surfaceless: pixels go to the display sinks", value = "surfaceless"),
                @Option(label = "headless: sinks get geometry, no pixels", value = "headless")},
            description = "QEMU wsi: surfaceless copies frames to the display sinks, headless sends them only"
                    + " the scanout geometry (for tests that need no pixels).")
    String wsi() default "surfaceless";

    @AttributeDefinition(name = "Wayland socket", required = false,
            description = "Path of the host Wayland socket for cross-domain (QEMU wayland_socket_path), passed to"
                    + " the rutabaga backend as written. Empty: $XDG_RUNTIME_DIR/$WAYLAND_DISPLAY (wayland-0 without"
                    + " a display). With cross-domain on, a path longer than a unix socket address holds (107 bytes)"
                    + " fails the backend's open.")
    String wayland__socket__path() default "";

    @AttributeDefinition(name = "Backend",
            options = {@Option(label = "2d: pure-Java 2D", value = "2d"),
                @Option(label = "virgl: libvirglrenderer", value = "virgl"),
                @Option(label = "rutabaga: librutabaga_gfx_ffi", value = "rutabaga")},
            description = "Which GpuBackendProvider to bind: the one whose neep.backend service property"
                    + " has this value. Changing it while the device runs swaps the backend; with no provider of"
                    + " that kind (its library missing) the device waits for one.")
    String backend() default DeviceConfig.BACKEND_2D;
}
