package dev.neep.display.headless.internal;

import dev.neep.display.headless.HeadlessDisplay;
import dev.neep.display.headless.HeadlessSink;
import dev.neep.display.headless.ScanoutStats;
import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.api.Frame;
import dev.neep.gpu.api.Rect;
import dev.neep.gpu.api.Scanout;
import org.osgi.service.component.annotations.Component;

/**
 * The headless sink as a service, immediate so that it counts from the moment the bundle
 * starts, whether or not a test has looked it up yet.
 */
@Component(service = {DisplaySink.class, HeadlessDisplay.class}, immediate = true)
public final class HeadlessDisplayComponent implements DisplaySink, HeadlessDisplay {
    private final HeadlessSink sink = new HeadlessSink();

    @Override
    public ScanoutStats stats(int scanoutId) {
        return sink.stats(scanoutId);
    }

    @Override
    public void scanoutChanged(int scanoutId, Scanout scanout) {
        sink.scanoutChanged(scanoutId, scanout);
    }

    @Override
    public void frameUpdated(int scanoutId, Rect dirty, Frame frame) {
        sink.frameUpdated(scanoutId, dirty, frame);
    }

    @Override
    public void cursorMoved(int scanoutId, int x, int y) {
        sink.cursorMoved(scanoutId, x, y);
    }
}
