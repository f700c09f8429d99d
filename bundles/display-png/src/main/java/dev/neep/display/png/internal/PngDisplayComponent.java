package dev.neep.display.png.internal;

import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.api.Frame;
import dev.neep.gpu.api.Rect;
import dev.neep.gpu.api.Scanout;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The PNG sink as a service. Configuration is optional (defaults apply); a bad value makes
 * activation fail with a message naming the property and the value, and a changed
 * configuration restarts the sink. Deactivation flushes pending snapshots (see
 * {@link PngSnapshots#close()}).
 */
@Component(service = DisplaySink.class, configurationPid = PngDisplayConfig.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = PngDisplayConfig.class)
public final class PngDisplayComponent implements DisplaySink {
    private PngSnapshots snapshots;

    @Activate
    void activate(Map<String, Object> properties) {
        snapshots = PngSnapshots.start(PngSettings.from(properties));
    }

    @Deactivate
    void deactivate() {
        snapshots.close();
    }

    @Override
    public void scanoutChanged(int scanoutId, Scanout scanout) {
        snapshots.scanoutChanged(scanoutId, scanout);
    }

    @Override
    public void frameUpdated(int scanoutId, Rect dirty, Frame frame) {
        snapshots.frameUpdated(scanoutId, dirty, frame);
    }
}
