package dev.neep.backend.rutabaga.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Where the rutabaga backend finds librutabaga_gfx_ffi, PID {@value #PID}. A double underscore
 * in a method name is one underscore in the property name (OSGi's mapping).
 */
@ObjectClassDefinition(id = RutabagaLibraryConfig.PID, name = "neep rutabaga backend",
        description = "Where the rutabaga backend (gfxstream, cross-domain) finds librutabaga_gfx_ffi. Without"
                + " the library the backend does not register and the log says why.")
public @interface RutabagaLibraryConfig {

    String PID = "dev.neep.backend.rutabaga";

    @AttributeDefinition(name = "Library path", required = false,
            description = "Full path of librutabaga_gfx_ffi.so (0.1.2 or later). Empty: the path in the"
                    + " environment variable NEEP_RUTABAGA_LIBRARY, else the system linker path.")
    String library__path() default "";
}
