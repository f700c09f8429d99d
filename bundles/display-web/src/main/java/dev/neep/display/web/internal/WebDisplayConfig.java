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
        description = "Serves every scanout to a web browser: the page at /, each scanout's newest frame as"
                + " /scanout/<id>.png, the cursor as /cursor/<id>.png, changes as Server-Sent Events on /events and"
                + " the counters as /status.json. It runs only when this configuration exists (an empty one takes"
                + " the defaults). It shows the guest's screen to anyone who can reach the port, so it listens on"
                + " loopback unless told otherwise.")
public @interface WebDisplayConfig {
    String PID = "dev.neep.display.web";

    @AttributeDefinition(name = "Host",
            description = "Address or host name to listen on. 127.0.0.1 (the default) admits only this machine;"
                    + " 0.0.0.0 admits every network the machine is on. Default 127.0.0.1.")
    String host() default WebSettings.DEFAULT_HOST;

    @AttributeDefinition(name = "Port",
            description = "TCP port to listen on; 0 takes a free one (see the log). Default 8077.",
            min = "0", max = "65535")
    int port() default WebSettings.DEFAULT_PORT;

    @AttributeDefinition(name = "Minimum interval (ms)",
            description = "Least time between two PNG encodings of one scanout; updates in between are folded"
                    + " into one trailing encoding, so the last picture of a burst is always shown. Default 100.",
            min = "0")
    long min__interval__ms() default WebSettings.DEFAULT_MIN_INTERVAL_MS;
}
