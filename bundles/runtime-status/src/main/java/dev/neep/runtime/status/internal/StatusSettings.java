package dev.neep.runtime.status.internal;

import dev.neep.config.support.ConfigurationRefused;
import java.util.Set;

/** The checked configuration of the status reporter. */
record StatusSettings(long settleMs, long maxWaitMs, Set<String> mayWait, boolean exitOnRefused) {

    StatusSettings {
        mayWait = Set.copyOf(mayWait);
    }

    /** @throws ConfigurationRefused naming the property and its value when one is unusable */
    static StatusSettings from(StatusConfig config) {
        return new StatusSettings(
                ConfigurationRefused.within(StatusConfig.PID, "settle_ms", config.settle__ms(), 0, Long.MAX_VALUE),
                ConfigurationRefused.within(StatusConfig.PID, "max_wait_ms", config.max__wait__ms(), 0, Long.MAX_VALUE),
                Set.of(config.may__wait()), config.exit__on__refused());
    }
}
