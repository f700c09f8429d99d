package dev.neep.display.headless.internal;

import dev.neep.display.headless.HeadlessDisplay;
import dev.neep.display.headless.ScanoutStats;
import dev.neep.display.support.ForwardingDisplaySink;
import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.api.ScanoutId;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/**
 * The headless sink as a service, once configuration {@value #PID} exists (empty will do), as
 * every sink runs only when asked for; immediate, so that it counts from the moment it is
 * configured, whether or not anyone has looked it up yet.
 */
@Component(service = {DisplaySink.class, HeadlessDisplay.class}, immediate = true,
        configurationPid = HeadlessDisplayComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE)
public final class HeadlessDisplayComponent extends ForwardingDisplaySink implements HeadlessDisplay {
    static final String PID = "dev.neep.display.headless";

    private final HeadlessSink sink = new HeadlessSink();

    @Override
    public ScanoutStats stats(int scanoutId) {
        return sink.stats(scanoutId);
    }

    @Override
    public ScanoutStats stats(ScanoutId id) {
        return sink.stats(id);
    }

    @Override
    protected DisplaySink sink() {
        return sink;
    }
}
