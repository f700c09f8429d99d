package dev.neep.display.window.internal;

import org.osgi.service.component.annotations.ComponentPropertyType;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The window sink's configuration, PID {@value #PID}: its metatype and the typed interface {@link WindowSettings} checks. */
@ComponentPropertyType
@ObjectClassDefinition(id = WindowDisplayConfig.PID, name = "neep window display",
        description = "Shows each scanout in a desktop window of its own, with the guest's cursor drawn over it."
                + " Where the JVM has no display (headless, no DISPLAY) it logs why and offers no sink.")
public @interface WindowDisplayConfig {
    String PID = "dev.neep.display.window";

    @AttributeDefinition(name = "Title",
            description = "Window title; each window adds its scanout's number and size. Default neep.")
    String title() default WindowSettings.DEFAULT_TITLE;

    @AttributeDefinition(name = "Scale",
            description = "Window pixels per scanout pixel, " + WindowSettings.MIN_SCALE + " to "
                    + WindowSettings.MAX_SCALE + "; whole numbers keep pixels sharp. Default 1.")
    double scale() default WindowSettings.DEFAULT_SCALE;
}
