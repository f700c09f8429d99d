package dev.neep.display.png.internal;

import org.osgi.service.component.annotations.ComponentPropertyType;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The PNG sink's configuration, PID {@value #PID}: its metatype and the typed interface
 * {@link PngSettings} checks. A double underscore in a method name is one underscore in the
 * property name (OSGi's mapping).
 */
@ComponentPropertyType
@ObjectClassDefinition(id = PngDisplayConfig.PID, name = "neep PNG display",
        description = "Writes each scanout as PNG files: scanout-<id>.png for the newest snapshot and"
                + " scanout-<id>-<seq>.png for each of the last few, at most one snapshot per scanout per"
                + " minimum interval; the last update of a burst is always written.")
public @interface PngDisplayConfig {
    String PID = "dev.neep.display.png";

    @AttributeDefinition(name = "Directory",
            description = "Where the PNG files go; created if missing. Empty: <java.io.tmpdir>/neep-png."
                    + " Default empty.")
    String directory() default "";

    @AttributeDefinition(name = "Minimum interval (ms)",
            description = "Least time between two snapshots of one scanout; updates in between are"
                    + " folded into one trailing snapshot. 0 writes every update the writer keeps up with."
                    + " Default 500.",
            min = "0")
    long min__interval__ms() default PngSettings.DEFAULT_MIN_INTERVAL_MS;

    @AttributeDefinition(name = "Numbered snapshots kept",
            description = "How many of the newest numbered snapshots (scanout-<id>-<seq>.png) stay on disk per"
                    + " scanout; older ones are deleted as new ones are written. 0 writes none (only"
                    + " scanout-<id>.png). Default 100.",
            min = "0")
    int keep() default PngSettings.DEFAULT_KEEP;
}
