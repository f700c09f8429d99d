package dev.neep.display.web.internal;

import org.osgi.service.component.annotations.ComponentPropertyType;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The web viewer's configuration, PID {@value #PID}: its metatype and the typed interface
 * {@link WebSettings} checks. A double underscore in a method name is one underscore in the
 * property name (OSGi's mapping).
 */
@ComponentPropertyType
@ObjectClassDefinition(id = WebDisplayConfig.PID, name = "neep web display",
        description = "Serves every scanout to a web browser through the OSGi HTTP Whiteboard: the page at /,"
                + " frames and changes over the WebSocket /ws, each scanout's newest frame as /scanout/<id>.png,"
                + " the cursor as /cursor/<id>.png and the counters as /status.json. The HTTP service says where it"
                + " listens (org.osgi.service.http.port, org.apache.felix.http.host). It runs only when this"
                + " configuration exists (an empty one takes the defaults).")
public @interface WebDisplayConfig {
    String PID = "dev.neep.display.web";

    @AttributeDefinition(name = "Host",
            description = "A name the page may be reached by, besides IP addresses and localhost: a request whose"
                    + " Host header names anything else is refused, so that a page elsewhere cannot read the"
                    + " viewer through DNS rebinding. Default localhost.")
    String host() default WebSettings.DEFAULT_HOST;

    @AttributeDefinition(name = "Minimum interval (ms)",
            description = "Least time between two encodings of one scanout; updates in between are folded"
                    + " into one trailing encoding, so the last picture of a burst is always shown. Default 100.",
            min = "0")
    long min__interval__ms() default WebSettings.DEFAULT_MIN_INTERVAL_MS;
}
