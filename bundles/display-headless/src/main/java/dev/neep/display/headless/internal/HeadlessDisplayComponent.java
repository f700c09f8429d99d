package dev.neep.display.headless.internal;

import dev.neep.display.headless.HeadlessDisplay;
import dev.neep.display.headless.ScanoutStats;
import dev.neep.display.support.ForwardingDisplaySink;
import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.api.ScanoutId;
import org.osgi.service.component.annotations.Component;

/**
 * The headless sink as a service, immediate so that it counts from the moment the bundle
 * starts, whether or not a test has looked it up yet.
 */
@Component(service = {DisplaySink.class, HeadlessDisplay.class}, immediate = true)
public final class HeadlessDisplayComponent extends ForwardingDisplaySink implements HeadlessDisplay {
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
