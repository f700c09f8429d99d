package dev.neep.testbackend.internal;

import org.osgi.service.component.annotations.ComponentPropertyType;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The recording backend's own configuration, PID {@value #PID}. */
@ComponentPropertyType
@ObjectClassDefinition(id = RecordingBackendConfig.PID, name = "neep recording backend (tests)",
        description = "The 2D backend behind a recorder, for tests. A change reopens the backend of a device that"
                + " uses it.")
public @interface RecordingBackendConfig {

    String PID = "dev.neep.backend.recording";

    @AttributeDefinition(name = "Headless",
            description = "Open headless backends: the display sinks get geometry, no pixels. Default false.")
    boolean headless() default false;
}
