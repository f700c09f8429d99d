package dev.neep.backend.rutabaga.internal;

import org.osgi.service.component.annotations.ComponentPropertyType;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The rutabaga backend's configuration, PID {@value #PID}: its metatype and the typed interface
 * {@link RutabagaSettings} reads, by QEMU's {@code virtio-gpu-rutabaga} property names. A double
 * underscore in a method name is one underscore in the property name, {@code $_$} a hyphen
 * (OSGi's mapping).
 */
@ComponentPropertyType
@ObjectClassDefinition(id = RutabagaBackendConfig.PID, name = "neep rutabaga backend",
        description = "The backend over librutabaga_gfx_ffi (gfxstream, cross-domain, virgl as the library was"
                + " built), with QEMU's virtio-gpu-rutabaga settings: capsets, window-system integration, the"
                + " Wayland socket for cross-domain, and where the library is. A change reopens the backend of a"
                + " device that uses it. Without the library the backend does not register and the log says why.")
public @interface RutabagaBackendConfig {

    String PID = "dev.neep.backend.rutabaga";

    @AttributeDefinition(name = "Library path",
            description = "Full path of librutabaga_gfx_ffi.so (0.1.2 or later). Empty: the path in the environment"
                    + " variable NEEP_RUTABAGA_LIBRARY, else the system linker path. Default empty.")
    String library__path() default "";

    @AttributeDefinition(name = "Capsets",
            description = "Colon-separated capsets to offer (QEMU capset_names), e.g. gfxstream-vulkan:cross-domain;"
                    + " the library resolves them. Empty, and no capset switch on: rutabaga's 2D component."
                    + " Default empty.")
    String capset__names() default "";

    @AttributeDefinition(name = "gfxstream Vulkan",
            description = "Offer capset gfxstream-vulkan (upstream QEMU's boolean property; on/off, true/false)."
                    + " Default off.")
    boolean gfxstream$_$vulkan() default false;

    @AttributeDefinition(name = "gfxstream GLES",
            description = "Offer capset gfxstream-gles (upstream QEMU's boolean property). Default off.")
    boolean gfxstream$_$gles() default false;

    @AttributeDefinition(name = "gfxstream composer",
            description = "Offer capset gfxstream-composer (upstream QEMU's boolean property). Default off.")
    boolean gfxstream$_$composer() default false;

    @AttributeDefinition(name = "Cross-domain",
            description = "Offer capset cross-domain (upstream QEMU's boolean property); it needs the host Wayland"
                    + " socket (wayland_socket_path). Default off.")
    boolean cross$_$domain() default false;

    @AttributeDefinition(name = "Window-system integration",
            description = "QEMU wsi: surfaceless gives the display sinks the scanouts' pixels, headless only their"
                    + " geometry. The library draws surfaceless either way. Default surfaceless.")
    String wsi() default "surfaceless";

    @AttributeDefinition(name = "Wayland socket",
            description = "Path of the host Wayland socket for cross-domain (QEMU wayland_socket_path). Empty:"
                    + " $XDG_RUNTIME_DIR/$WAYLAND_DISPLAY (wayland-0 without a display), none without"
                    + " XDG_RUNTIME_DIR. With cross-domain on, a path longer than a unix socket address holds"
                    + " (107 bytes) is refused. Default empty.")
    String wayland__socket__path() default "";
}
