package dev.neep.runtime.status.internal;

import org.osgi.service.component.annotations.ComponentPropertyType;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The status reporter's configuration, PID {@value #PID}: its metatype and the typed interface
 * {@link StatusSettings} checks. A double underscore in a method name is one underscore in the
 * property name (OSGi's mapping).
 */
@ComponentPropertyType
@ObjectClassDefinition(id = StatusConfig.PID, name = "neep runtime status",
        description = "Logs the state of every bundle and DS component once the runtime has settled,"
                + " then every change after that.")
public @interface StatusConfig {

    String PID = "dev.neep.runtime.status";

    @AttributeDefinition(name = "Settle time (ms)", min = "0",
            description = "How long no bundle or service event must arrive before the state is reported."
                    + " Default 300.")
    long settle__ms() default 300;

    @AttributeDefinition(name = "Longest wait (ms)", min = "0",
            description = "Report after this long even if events keep arriving. Default 10000.")
    long max__wait__ms() default 10_000;

    @AttributeDefinition(name = "Components that may wait",
            description = "Names of components whose services are legitimately absent here (for example a"
                    + " backend whose native library is not installed): reported, but not as a problem."
                    + " Default none.")
    String[] may__wait() default {};

    @AttributeDefinition(name = "Exit on a refused configuration",
            description = "Ends the process with exit status 1 when a configuration is refused (a component"
                    + " failed to activate on a value it cannot use, or waits because of one), each refusal"
                    + " printed as one line on standard error: for one-shot command lines (./neep serve),"
                    + " where a value the user gave must not leave a runtime that serves nothing. Default"
                    + " false: the runtime waits for the configuration to be fixed.")
    boolean exit__on__refused() default false;
}
