package dev.neep.backend.virgl.internal;

import org.osgi.service.component.annotations.ComponentPropertyType;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The virgl backend's configuration, PID {@value #PID}: its metatype and the typed interface
 * {@link VirglSettings} reads. A double underscore in a method name is one underscore in the
 * property name (OSGi's mapping).
 */
@ComponentPropertyType
@ObjectClassDefinition(id = VirglBackendConfig.PID, name = "neep virgl backend",
        description = "The 3D backend over libvirglrenderer (Mesa, llvmpipe without a GPU): which capsets it offers,"
                + " the window-system integration, and where the library is. A change reopens the backend of a"
                + " device that uses it. Without the library the backend does not register and the log says why.")
public @interface VirglBackendConfig {

    String PID = "dev.neep.backend.virgl";

    @AttributeDefinition(name = "Capsets",
            description = "Colon-separated capsets to offer (QEMU capset_names): virgl, virgl2 or both. Default"
                    + " virgl:virgl2, as QEMU's virtio-gpu-gl.")
    String capset__names() default "virgl:virgl2";

    @AttributeDefinition(name = "Window-system integration",
            description = "QEMU wsi: surfaceless gives the display sinks the scanouts' pixels, headless only their"
                    + " geometry (for runs that need no pixels). The renderer draws surfaceless either way."
                    + " Default surfaceless.")
    String wsi() default "surfaceless";

    @AttributeDefinition(name = "Library path",
            description = "Full path (or name) of libvirglrenderer. Empty: the system property neep.virgl.library,"
                    + " else virglrenderer or libvirglrenderer.so.1 on the system linker path. Default empty.")
    String library__path() default "";
}
