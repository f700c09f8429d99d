package dev.neep.gpu.device.internal.osgi;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * The configuration of the virtio-gpu device, PID {@value #PID}. Property names are QEMU's
 * device properties where one exists ({@code max_outputs}, {@code xres}, ...); a double
 * underscore in a method name is one underscore in the property name (OSGi's mapping).
 */
@ObjectClassDefinition(id = GpuDeviceConfig.PID, name = "neep virtio-gpu device",
        description = "A virtio-gpu device modelled on QEMU's virtio-gpu-rutabaga: outputs, host memory limit,"
                + " capsets, window-system integration and which rendering backend to bind.")
public @interface GpuDeviceConfig {

    String PID = "dev.neep.gpu";

    @AttributeDefinition(name = "Outputs", min = "1", max = "16",
            description = "Scanouts the device offers (QEMU max_outputs), 1 to 16.")
    int max__outputs() default 1;

    @AttributeDefinition(name = "Width", min = "16", max = "4095",
            description = "Preferred width of every output in pixels (QEMU xres), 16 to 4095.")
    int xres() default 1024;

    @AttributeDefinition(name = "Height", min = "16", max = "4095",
            description = "Preferred height of every output in pixels (QEMU yres), 16 to 4095.")
    int yres() default 768;

    @AttributeDefinition(name = "EDID",
            description = "Offer VIRTIO_GPU_F_EDID and answer GET_EDID with a generated EDID (QEMU edid).")
    boolean edid() default true;

    @AttributeDefinition(name = "Host memory limit", min = "1",
            description = "Bytes of host memory guest resources may use (QEMU max_hostmem); beyond it creates"
                    + " fail with RESP_ERR_OUT_OF_MEMORY. Default 256 MiB.")
    long max__hostmem() default 256L * 1024 * 1024;

    @AttributeDefinition(name = "Capsets", required = false,
            description = "Colon-separated capset names the backend should offer (QEMU capset_names), e.g."
                    + " 'virgl:virgl2' or 'gfxstream-vulkan:cross-domain'. Empty: none (2D only).")
    String capset__names() default "";

    @AttributeDefinition(name = "Window-system integration",
            options = {@Option(label = "surfaceless: pixels go to the display sinks", value = "surfaceless"),
                @Option(label = "headless: sinks get geometry, no pixels", value = "headless")},
            description = "QEMU wsi: surfaceless copies frames to the display sinks, headless sends them only"
                    + " the scanout geometry (for tests that need no pixels).")
    String wsi() default "surfaceless";

    @AttributeDefinition(name = "Wayland socket", required = false,
            description = "Path of the host Wayland socket for cross-domain (QEMU wayland_socket_path)."
                    + " Empty: $XDG_RUNTIME_DIR/$WAYLAND_DISPLAY. Must fit a unix socket address (107 bytes).")
    String wayland__socket__path() default "";

    @AttributeDefinition(name = "Backend",
            options = {@Option(label = "2d: pure-Java 2D", value = "2d"),
                @Option(label = "virgl: libvirglrenderer", value = "virgl"),
                @Option(label = "rutabaga: librutabaga_gfx_ffi", value = "rutabaga")},
            description = "Which GpuBackendProvider to bind: the one whose neep.backend service property"
                    + " has this value.")
    String backend() default "2d";
}
